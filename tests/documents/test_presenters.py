"""The case page's generated documents: each row says whether the seal was put on it."""

from __future__ import annotations

import dataclasses

import pytest

from levier.documents import services
from levier.documents.presenters import GeneratedDocumentRow
from levier.documents.seal import make_test_authority
from levier.documents.selectors import case_documents_panel

pytestmark = pytest.mark.django_db


def test_rows_say_which_documents_are_sealed_newest_first(
    agent, case, html_template, settings, tmp_path
):
    paths = make_test_authority(tmp_path / "seal")
    settings.LEVIER_SEAL_KEY_FILE = str(paths["org_key"])
    settings.LEVIER_SEAL_CERT_FILE = str(paths["org_cert"])
    sealed = services.document_generate(case=case, template=html_template, actor=agent)
    settings.LEVIER_SEAL_KEY_FILE = settings.LEVIER_SEAL_CERT_FILE = ""
    plain = services.document_generate(case=case, template=html_template, actor=agent)

    rows = case_documents_panel(case).documents

    assert rows == [GeneratedDocumentRow(plain, False), GeneratedDocumentRow(sealed, True)]
    assert not hasattr(rows[0].document, "sealed")  # the model instance is left as it was
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].sealed = True


def test_a_case_without_documents_reads_no_journal(case, django_assert_num_queries):
    with django_assert_num_queries(2):  # the templates and the documents, nothing more
        panel = case_documents_panel(case)
    assert panel.documents == []
