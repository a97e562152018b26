import pytest

pytestmark = pytest.mark.django_db


def test_demo_templates_validate_against_the_demo_procedures():
    from levier.demo.setup import ensure_demo_setup
    from levier.documents.demo import ensure_demo_templates

    setup = ensure_demo_setup()
    templates = ensure_demo_templates(setup)
    assert len(templates) == len(setup.procedures) + 1
    assert all(t.published_version for t in templates)
