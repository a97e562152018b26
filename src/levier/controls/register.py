"""The public register of algorithms, generated from the configuration that runs.

French law (code des relations entre le public et l'administration, articles L311-3-1
and L312-1-3) asks administrations to publish the main algorithmic treatments behind
individual decisions and to explain them on request. Each entry here is built from the
same rows and constants the code reads when it runs (anomaly models, rules, comparison
rules, classifier settings), so the register cannot drift from what runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from levier.cases.models import Procedure
from levier.cases.schema import field_labels
from levier.core.french import format_datetime

from .anomalies.spec import protected_topics
from .batch_scoring import DERIVED_GROUPS
from .models import AnomalyModel, FieldComparison, Rule
from .presenters import FOUND_FIELD_LABELS, KIND_LABELS
from .rule_kinds import label_of

WHO_DECIDES = _(
    "An agent. The algorithm only proposes: it never changes a case's status, never grants "
    "or refuses anything by itself, and each proposal carries its reasons."
)


@dataclass
class RegisterEntry:
    slug: str
    name: str
    procedure: str
    purpose: str
    data_used: list[str]
    logic: list[str]
    parameters: list[tuple[str, str]]
    who_decides: str
    contest: str
    excluded: list[str] = field(default_factory=list)
    last_run: str = ""


def _contest(procedure: Procedure | None) -> str:
    organisation = procedure.organisation.name if procedure else _("the administration")
    return _(
        "Ask %(organisation)s, quoting your case reference, for the reasons of any proposal "
        "made about your case and the data it used (right to an explanation, article L311-3-1 "
        "of the code des relations entre le public et l'administration). You can correct a "
        "declaration at any time: an error made in good faith is not penalised."
    ) % {"organisation": organisation}


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %".replace(".", ",")


def anomaly_entry(model: AnomalyModel) -> RegisterEntry:
    procedure = model.procedure
    labels = field_labels(procedure.active_schema)
    label = lambda name: str(labels.get(name) or DERIVED_GROUPS.get(name) or name)  # noqa: E731
    data = [label(name) for name in model.inputs]
    data += [_("ratio %(a)s / %(b)s") % {"a": label(a), "b": label(b)} for a, b in model.ratios]
    groups = ", ".join(label(name) for name in model.peer_group) or _("the whole procedure")
    parameters = [
        (_("Share of cases proposed for control"), _percent(model.contamination)),
        (_("Share of cases drawn at random (baseline)"), _percent(model.random_sample_rate)),
        (_("Peer groups"), groups),
    ]
    parameters += [
        (_("Threshold watched: %(field)s") % {"field": label(name)}, str(value))
        for name, value in model.thresholds.items()
    ]
    return RegisterEntry(
        slug=f"atypical-{procedure.slug}",
        name=_("Finding atypical declarations"),
        procedure=procedure.name,
        purpose=_(
            "Propose for control the declarations that stand out from comparable cases, so "
            "that agents' time goes where an error is likely, and advise usagers who made a "
            "mistake in good faith."
        ),
        data_used=data,
        logic=[
            _(
                "Amounts are compared on a logarithmic scale within peer groups (%(groups)s); "
                "each declaration gets a score from how far each value lies in the tails of "
                "its peers' distribution."
            )
            % {"groups": groups},
            _(
                "Targeted tests add to the score: a year-over-year jump of a declarant's "
                "amounts, values just under a threshold, and Benford's law on a declarant's "
                "history of amounts."
            ),
            *(
                [
                    _(
                        "An isolation forest adds to the score how easily a declaration is set "
                        "apart from the others by random cuts on its values, which finds "
                        "combinations of values that are odd together."
                    )
                ]
                if model.isolation_forest
                else []
            ),
            _(
                "The cases with the highest scores are proposed, each with the values that "
                "make it atypical and the usual range of its peers."
            ),
            _(
                "A random sample of the other cases is proposed too: comparing what controls "
                "find in both measures whether the algorithm does better than chance."
            ),
        ],
        parameters=parameters,
        who_decides=str(WHO_DECIDES),
        contest=_contest(procedure),
        excluded=protected_topics(),
        last_run=format_datetime(model.last_run_at) if model.last_run_at else "",
    )


def rules_entry(procedure: Procedure, rules: list[Rule]) -> RegisterEntry:
    return RegisterEntry(
        slug=f"rules-{procedure.slug}",
        name=_("Control rules"),
        procedure=procedure.name,
        purpose=_("Check each case on submission against rules set by the administration."),
        data_used=sorted({str(value) for rule in rules for value in _rule_fields(rule)}),
        logic=[f"{rule.name} ({label_of(rule.kind)})" for rule in rules],
        parameters=[(rule.name, _describe_parameters(rule.parameters)) for rule in rules],
        who_decides=str(WHO_DECIDES),
        contest=_contest(procedure),
    )


def _rule_fields(rule: Rule) -> list[str]:
    keys = ("field", "left", "right", "document", "when_field", "before", "after")
    return [rule.parameters[key] for key in keys if rule.parameters.get(key)]


def _describe_parameters(parameters: dict) -> str:
    return ", ".join(
        f"{key} = {value}" for key, value in parameters.items() if value not in (None, "")
    )


def documents_entry(procedure: Procedure, rows: list[FieldComparison]) -> RegisterEntry:
    kinds = sorted({str(KIND_LABELS.get(row.document_kind, row.document_kind)) for row in rows})
    labels = field_labels(procedure.active_schema)
    parameters = []
    for row in rows:
        tolerance = ""
        if row.method == "percent":
            tolerance = _("within %(value)s %%") % {"value": f"{row.tolerance:g}"}
        elif row.method == "fuzzy":
            tolerance = _("similarity of at least %(value)s / 100") % {
                "value": f"{row.tolerance:g}"
            }
        found = FOUND_FIELD_LABELS.get(row.found_field, row.found_field)
        declared = labels.get(row.declared_field.split(".")[0], row.declared_field)
        parameters.append(
            (
                f"{KIND_LABELS.get(row.document_kind, row.document_kind)} : {found} ↔ {declared}",
                f"{row.get_method_display()} {tolerance}".strip(),
            )  # fmt: skip
        )
    return RegisterEntry(
        slug=f"documents-{procedure.slug}",
        name=_("Checking supporting documents"),
        procedure=procedure.name,
        purpose=_(
            "Read the supporting documents, recognise their type and compare the values they "
            "show with the declared ones, so that agents no longer retype or compare by hand."
        ),
        data_used=kinds,
        logic=[
            _("Text is read from the PDF, or recognised by OCR (Tesseract, French) on scans."),
            _(
                "A 2D-Doc barcode, when present, is decoded and its signature checked against "
                "the trust list of the Agence nationale des titres sécurisés; a signed value "
                "is the strongest evidence."
            ),
            _(
                "Each value is compared with the declaration: equal, within a tolerance, or "
                "similar for names; the page and line read are kept as evidence."
            ),
        ],
        parameters=parameters,
        who_decides=str(WHO_DECIDES),
        contest=_contest(procedure),
    )


def enquiry_entries() -> list[RegisterEntry]:
    from levier.enquiries.classification import MODEL_VERSION

    threshold = str(settings.LEVIER_CLASSIFIER_THRESHOLD)
    return [
        RegisterEntry(
            slug="enquiry-classification",
            name=_("Suggesting the topic and urgency of enquiries"),
            procedure=_("All enquiries"),
            purpose=_("Route enquiries to the right team faster."),
            data_used=[_("Subject and text of the message")],
            logic=[
                _(
                    "A text classifier (TF-IDF and logistic regression) learnt from enquiries "
                    "whose topic agents set suggests a topic and an urgency."
                ),
                _("Below the confidence threshold, nothing is suggested."),
            ],
            parameters=[
                (_("Confidence threshold"), threshold),
                (_("Model version"), str(MODEL_VERSION)),
            ],
            who_decides=_("An agent confirms or corrects the suggestion."),
            contest=_contest(None),
        )
    ]


def algorithm_register() -> list[RegisterEntry]:
    entries: list[RegisterEntry] = []
    models = AnomalyModel.objects.filter(active=True).select_related("procedure__organisation")
    entries += [anomaly_entry(model) for model in models]
    procedures = Procedure.objects.select_related("organisation").order_by("name")
    rules = {}
    for rule in Rule.objects.filter(active=True).order_by("name"):
        rules.setdefault(rule.procedure_id, []).append(rule)
    comparisons = {}
    for row in FieldComparison.objects.all():
        comparisons.setdefault(row.procedure_id, []).append(row)
    for procedure in procedures:
        if procedure.pk in comparisons:
            entries.append(documents_entry(procedure, comparisons[procedure.pk]))
        if procedure.pk in rules:
            entries.append(rules_entry(procedure, rules[procedure.pk]))
    return entries + enquiry_entries()
