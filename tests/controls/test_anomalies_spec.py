"""Protected variables never enter a risk model (design, section 7)."""

import pytest

from levier.controls.anomalies.spec import ModelSpec, check_inputs, protected_term


@pytest.mark.parametrize(
    "name",
    [
        "age",
        "date_naissance",
        "birthDate",
        "Sexe",
        "gender",
        "nationalité",
        "nir",
        "handicap",
        "montant_rsa",
        "minima sociaux perçus",
        "chômage",
        "situation familiale",
        "marital_status",
        "age_band",
    ],
)
def test_protected_names_are_recognised(name):
    assert protected_term(name)


@pytest.mark.parametrize(
    "name",
    [
        "page",
        "stage",
        "message",
        "average_turnover",
        "usage",
        "agent",
        "headcount",
        "amount_requested",
        "naf_section",
        "engagement",
        "nirvana",
        "sextant",
    ],
)
def test_near_misses_pass(name):
    assert protected_term(name) is None


def test_protected_input_is_refused_with_the_reason():
    spec = ModelSpec(inputs=("turnover", "age_gerant"))
    with pytest.raises(ValueError, match="age_gerant.*age"):
        check_inputs(spec, {})


def test_protected_label_is_refused_even_with_a_neutral_name():
    spec = ModelSpec(inputs=("turnover",), peer_group=("field_12",))
    with pytest.raises(ValueError, match="Nationalité du dirigeant"):
        check_inputs(spec, {"field_12": "Nationalité du dirigeant"})


def test_protected_ratio_term_is_refused():
    spec = ModelSpec(inputs=("turnover",), ratios=(("amount", "montant_chomage"),))
    with pytest.raises(ValueError, match="montant_chomage"):
        check_inputs(spec, {})


def test_ordinary_model_is_accepted():
    spec = ModelSpec(
        inputs=("turnover", "headcount", "amount_requested"),
        ratios=(("amount_requested", "project_cost"),),
        peer_group=("naf_section", "size_band"),
    )
    check_inputs(spec, {"turnover": "Chiffre d'affaires", "headcount": "Effectif"})
