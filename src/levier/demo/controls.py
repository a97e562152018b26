"""Controls in the demo: configuration, a few planted cases with known truth, and the runs.

`ensure_demo_controls` configures, per demo procedure, how documents are compared with
declarations, the control rules and the atypical-declaration model. `run_demo_controls`
then gives the demo what an agent should see on day one:

- a handful of planted atypical declarations among the thousands of ordinary ones
  (the truth the batch is measured against: `ControlsReport.found_planted`);
- tax notices carrying a genuine 2D-Doc signed by the demo's own test authority, one of
  them tampered (the printed income was lowered, the signed one was not), and one sent
  as a phone-like scan (OCR);
- bank details (RIB), one of which is not the declared account;
- the documents of the most recent open cases checked, the others queued for the worker;
- the rules evaluated on every case, each procedure scored, the random baseline drawn,
  and the results of past controls recorded by the team leads (from the known truth), so
  that precision against the random baseline shows.

The demo authority is trusted only through LEVIER_2DDOC_TRUSTED_CERTIFICATES, which
`make demo` sets to it (`trusted_setting`); no other configuration trusts it.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.test import override_settings

from levier.cases.models import Case, CaseStatus, SupportingDocument
from levier.controls import batch_scoring, document_checks, rule_checks
from levier.controls.flags import flag_record_result
from levier.controls.models import AnomalyModel, FieldComparison, Flag, Rule
from levier.controls.rule_kinds import validate_parameters
from levier.controls.tasks import check_case

from .generators import de
from .pdfs import RibSpec, TaxNoticeSpec, money, print_document
from .scans import scan_like
from .setup import DemoSetup
from .twoddoc import DemoAuthority, tax_notice_message

COMPARISONS = {
    "aide-petites-entreprises": [
        ("invoice", "total_excl_tax", "project_cost", "percent", 1.0),
        ("kbis", "siren", "siret", "exact", 0),
        ("rib", "iban", "iban", "exact", 0),
    ],
    "aide-logement": [
        ("tax_notice", "reference_tax_income", "reference_tax_income", "exact", 0),
        ("address_proof", "issuer", "landlord", "fuzzy", 80),
        ("rib", "iban", "iban", "exact", 0),
    ],
    "subvention-associations": [
        ("budget", "project_budget", "project_budget", "percent", 1.0),
        ("rib", "iban", "iban", "exact", 0),
    ],
}
RULES = {
    "aide-petites-entreprises": [
        ("Plafond de l'aide", "threshold",
         {"field": "amount_requested", "operator": "<=", "value": "15000"}),
        ("Aide limitée à la moitié du projet", "coherence",
         {"left": "amount_requested", "operator": "<=", "right": "project_cost", "factor": "0.5"}),
        ("Entreprise créée avant la demande", "date_order",
         {"before": "company_created_on", "after": "submitted_on", "min_days": 0}),
        ("IBAN déjà vu sur le dossier d'un autre usager", "duplicate_iban", {"field": "iban"}),
        ("Pièce déjà déposée sur un autre dossier", "duplicate_document", {}),
    ],
    "aide-logement": [
        ("Avis d'impôt exigé", "required_document", {"document": "tax_notice"}),
        ("Plafond de ressources", "threshold",
         {"field": "reference_tax_income", "operator": "<=", "value": "60000"}),
        ("Bail commencé avant la demande", "date_order",
         {"before": "lease_start", "after": "submitted_on", "min_days": 0}),
        ("IBAN déjà vu sur le dossier d'un autre usager", "duplicate_iban", {"field": "iban"}),
        ("Pièce déjà déposée sur un autre dossier", "duplicate_document", {}),
    ],
    "subvention-associations": [
        ("Subvention au plus 80 % du budget", "coherence",
         {"left": "amount_requested", "operator": "<=", "right": "project_budget", "factor": "0.8"}),
        ("IBAN déjà vu sur le dossier d'un autre usager", "duplicate_iban", {"field": "iban"}),
    ],
}  # fmt: skip
MODELS = {
    "aide-petites-entreprises": {
        # Not the headcount itself: it makes the peer group (size band), and values at
        # the edge of a band would look atypical within it.
        "inputs": ["turnover", "project_cost", "amount_requested"],
        "ratios": [["amount_requested", "project_cost"], ["turnover", "headcount"]],
        "peer_group": ["size_band"],
        "thresholds": {"amount_requested": 15000},
        "random_sample_rate": 0.05,
    },
    "aide-logement": {
        # Not the income: in a means-tested aid, a model would single out the poorest
        # declarants. The income ceiling is a rule.
        "inputs": ["monthly_rent", "monthly_charges"],
        "ratios": [["monthly_rent", "household_size"]],
        "peer_group": ["household_size"],
        "thresholds": {},
        "random_sample_rate": 0.05,
    },
    "subvention-associations": {
        "inputs": ["members", "project_budget", "amount_requested", "other_funding"],
        "ratios": [["amount_requested", "project_budget"]],
        "peer_group": ["audience"],
        "thresholds": {"amount_requested": 50000},
        "random_sample_rate": 0.05,
    },
}
# Planted atypical declarations: (procedure, changes to the declared data, why).
PLANTED = [
    ("aide-petites-entreprises", {"turnover": "4800000.00", "headcount": 1}, "turnover"),
    # Headcount 2, not 0: a micro company is compared with its size band, whereas a band
    # of a few companies falls back to everyone and blurs the project cost.
    ("aide-petites-entreprises", {"project_cost": "1900000.00", "headcount": 2}, "project cost"),
    ("aide-petites-entreprises", {"amount_requested": "14990.00", "project_cost": "15100.00"},
     "just under the ceiling, nearly the whole project"),
    ("aide-logement", {"monthly_rent": "4900.00"}, "rent"),
    ("aide-logement", {"monthly_rent": "2950.00", "monthly_charges": "640.00"}, "rent and charges"),
    ("aide-logement", {"monthly_charges": "1450.00"}, "charges"),
    ("subvention-associations", {"amount_requested": "49900.00", "project_budget": "51500.00"},
     "just under the ceiling, nearly the whole budget"),
]  # fmt: skip
CHECK_NOW = 40  # cases whose documents the seed checks itself; the worker does the others
GENUINE_2DDOC_CASES = 3


def ensure_demo_controls(setup: DemoSetup) -> None:
    """Comparison rules, control rules and models of the demo procedures (idempotent)."""
    for slug, rows in COMPARISONS.items():
        procedure = setup.procedures[slug]
        for kind, found, declared, method, tolerance in rows:
            FieldComparison.objects.update_or_create(
                procedure=procedure,
                document_kind=kind,
                found_field=found,
                declared_field=declared,
                defaults={"method": method, "tolerance": tolerance},
            )
    for slug, rules in RULES.items():
        procedure = setup.procedures[slug]
        schema = procedure.active_schema
        for name, kind, parameters in rules:
            # Cleaned as the administration's form cleans them (field types recorded).
            cleaned = validate_parameters(kind, parameters, schema)
            Rule.objects.update_or_create(
                procedure=procedure,
                name=name,
                defaults={"kind": kind, "parameters": cleaned, "active": True},
            )
    for slug, config in MODELS.items():
        AnomalyModel.objects.update_or_create(
            procedure=setup.procedures[slug], defaults={**config, "active": True}
        )


@dataclass
class ControlsReport:
    planted: list[str] = field(default_factory=list)
    found_planted: list[str] = field(default_factory=list)
    two_d_doc: list[str] = field(default_factory=list)
    tampered: str = ""
    scanned: str = ""
    rib_mismatch: str = ""
    duplicate_iban: str = ""
    duplicate_document: str = ""
    checked: int = 0
    queued: int = 0
    flags: int = 0
    outcomes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def authority_directory() -> Path:
    return Path(settings.VAR_DIR) / "demo-2ddoc"


def _open_cases(slug: str, setup: DemoSetup):
    return Case.objects.filter(
        procedure=setup.procedures[slug], status__in=[CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW]
    ).select_related("contact")


def plant_anomalies(setup: DemoSetup, rng: random.Random) -> list[str]:
    """Change the declarations of a few open cases into atypical ones (the known truth)."""
    planted = []
    for slug, changes, _why in PLANTED:
        candidates = list(
            _open_cases(slug, setup)
            .exclude(reference__in=planted)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not candidates:
            continue
        case = Case.objects.get(pk=rng.choice(candidates))
        Case.objects.filter(pk=case.pk).update(data={**case.data, **changes})
        planted.append(case.reference)
    return planted


def _tax_notice(case: Case, rng: random.Random) -> TaxNoticeSpec:
    contact = case.contact
    income = money(case.data.get("reference_tax_income") or 0)
    size = int(case.data.get("household_size") or 1)
    year = datetime.date.today().year - (0 if datetime.date.today().month >= 9 else 1)
    return TaxNoticeSpec(
        declared_income=income,
        printed_income=income,
        parts=Decimal(1) + Decimal("0.5") * min(max(size - 1, 0), 2),
        holder=f"{contact.last_name.upper()} {contact.first_name}",
        address_lines=(contact.address, f"{contact.postal_code} {contact.city.upper()}"),
        tax_number=f"{rng.randint(0, 3)}{rng.randint(0, 999_999_999_999):012d}",
        notice_reference=f"{year % 100:02d} {contact.postal_code[:2] or '75'} "
        f"{rng.choice('ABCDEFGHJK')}{rng.randint(0, 999_999):06d} {rng.randint(10, 99)}",
        office=f"Service des impôts des particuliers {de(contact.city or 'Paris')}",
        year=year,
    )


def _replace_file(
    document: SupportingDocument, name: str, content: bytes, content_type: str
) -> None:
    import hashlib

    document.sha256 = hashlib.sha256(content).hexdigest()
    document.original_name, document.content_type, document.size = name, content_type, len(content)
    document.page_count = 1
    document.file.save(name, ContentFile(content), save=False)
    document.save()


def add_two_d_docs(
    setup: DemoSetup, authority: DemoAuthority, rng: random.Random, report: ControlsReport
) -> None:
    """Genuine 2D-Docs on a few tax notices, one tampered, one sent as a photo."""
    notices = list(
        SupportingDocument.objects.filter(
            field_name="tax_notice",
            case__in=_open_cases("aide-logement", setup).exclude(reference__in=report.planted),
        )
        .select_related("case__contact")
        .order_by("-case__submitted_at")[: GENUINE_2DDOC_CASES + 2]
    )
    for index, document in enumerate(notices):
        case = document.case
        spec = _tax_notice(case, rng)
        if index == GENUINE_2DDOC_CASES:
            # The forger lowered the printed income; the signed barcode still says the truth.
            real = money(spec.declared_income * Decimal("1.8") + 4000)
            spec = replace(spec, two_d_doc=tax_notice_message(spec, authority, signed_income=real))
            report.tampered = case.reference
        else:
            spec = replace(spec, two_d_doc=tax_notice_message(spec, authority))
            report.two_d_doc.append(case.reference)
        printed = print_document(spec)
        if index == GENUINE_2DDOC_CASES + 1:
            image = scan_like(
                printed.content, rotate=90, skew=1.5, noise=0.04, output="jpeg", seed=7
            )
            _replace_file(document, f"avis-impot-{spec.year}-photo.jpg", image, "image/jpeg")
            report.scanned = case.reference
        else:
            _replace_file(document, printed.original_name, printed.content, "application/pdf")


def add_bank_details(setup: DemoSetup, rng: random.Random, report: ControlsReport) -> None:
    """A RIB on two business cases: one for the declared account, one for another account."""
    cases = list(
        _open_cases("aide-petites-entreprises", setup)
        .exclude(reference__in=report.planted)
        .order_by("pk")[:2]
    )
    other = Case.objects.exclude(pk__in=[c.pk for c in cases]).exclude(data__iban=None).first()
    for index, case in enumerate(cases):
        iban = case.data.get("iban") or ""
        printed = (other.data.get("iban") if other and index == 1 else "") or iban
        spec = RibSpec(
            declared_iban=iban,
            printed_iban=printed,
            holder=case.contact.display_name,
            holder_address=(
                case.contact.address,
                f"{case.contact.postal_code} {case.contact.city}",
            ),
            bank="Banque de démonstration",
            domiciliation=("Agence centrale", "1 place de la Bourse", "69002 LYON"),
            bic="AGRIFRPP",
        )
        document = print_document(spec)
        SupportingDocument.objects.create(
            case=case,
            field_name="",
            file=ContentFile(document.content, name=document.original_name),
            original_name=document.original_name,
            content_type="application/pdf",
            size=document.size,
            sha256=document.sha256,
            page_count=1,
        )
        if printed != iban:
            report.rib_mismatch = case.reference


def plant_duplicates(setup: DemoSetup, rng: random.Random, report: ControlsReport) -> None:
    """One business case declaring another usager's IBAN; one housing case reusing another's notice."""
    taken = set(report.planted) | {report.tampered, report.scanned, report.rib_mismatch}
    businesses = list(
        _open_cases("aide-petites-entreprises", setup)
        .exclude(reference__in=taken)
        .order_by("pk")[:3]
    )
    if len(businesses) >= 2:
        source, copy = businesses[-2], businesses[-1]
        if source.contact_id != copy.contact_id:
            Case.objects.filter(pk=copy.pk).update(data={**copy.data, "iban": source.data["iban"]})
            report.duplicate_iban = copy.reference
    notices = list(
        SupportingDocument.objects.filter(
            field_name="tax_notice",
            case__in=_open_cases("aide-logement", setup).exclude(reference__in=taken),
        ).order_by("-case__submitted_at")[5:7]
    )
    if len(notices) == 2:
        source, copy = notices
        copy.file, copy.sha256, copy.size = source.file.name, source.sha256, source.size
        copy.original_name = source.original_name
        copy.save(update_fields=["file", "sha256", "size", "original_name"])
        report.duplicate_document = copy.case.reference


def check_recent_documents(setup: DemoSetup, report: ControlsReport) -> None:
    special = [report.tampered, report.scanned, report.rib_mismatch, report.duplicate_document,
               *report.two_d_doc]  # fmt: skip
    cases = list(
        Case.objects.filter(
            status__in=[CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW], documents__isnull=False
        )
        .distinct()
        .order_by("-submitted_at")
        .values_list("pk", "reference")
    )
    now = [pk for pk, reference in cases if reference in special] + [
        pk for pk, _ref in cases[:CHECK_NOW]
    ]
    for case in Case.objects.filter(pk__in=set(now)).select_related("contact", "procedure_version"):
        report.checked += len(document_checks.case_check_documents(case=case))
    later = [pk for pk, _ref in cases if pk not in set(now)]
    for pk in later:
        check_case.enqueue(pk)
    report.queued = len(later)


# Simulated findings of past controls, per source: the share of controlled flags where the
# declaration turned out wrong. They only make the precision table show what it measures;
# real figures come from agents' results.
SIMULATED_HIT_RATES = {"document": 0.9, "rule": 0.6, "anomaly": 0.35, "random": 0.06}


def record_past_controls(setup: DemoSetup, report: ControlsReport, rng: random.Random) -> None:
    """Team leads' results on two flags in three (simulated), through the service."""
    # The cases the seed prints stay to control: the demo shows them found, not solved.
    shown = {*report.planted, report.tampered, report.scanned, report.rib_mismatch,
             report.duplicate_iban, report.duplicate_document}  # fmt: skip
    flags = list(Flag.objects.filter(result="").select_related("case", "case__team"))
    rng.shuffle(flags)
    for flag in flags[: len(flags) * 2 // 3]:
        lead = setup.leads.get(flag.case.team_id)
        if lead is None or flag.case.reference in shown:
            continue
        if rng.random() < SIMULATED_HIT_RATES[flag.source]:
            if rng.random() < 0.6:
                result, note = (
                    "good_faith",
                    "Erreur de saisie, corrigée par l'usager après échange.",
                )
            else:
                result, note = "confirmed", "Écart confirmé à l'examen des pièces."
        else:
            result, note = "not_confirmed", ""
        flag_record_result(flag=flag, result=result, note=note, actor=lead)
        report.outcomes += 1


def _timed(report: ControlsReport, name: str, step, *args) -> None:
    started = time.perf_counter()
    step(*args)
    report.seconds[name] = round(time.perf_counter() - started, 1)


def run_demo_controls(setup: DemoSetup, *, seed: int) -> ControlsReport:
    rng = random.Random(f"levier-demo-controls-{seed}")
    report = ControlsReport()
    ensure_demo_controls(setup)
    report.planted = plant_anomalies(setup, rng)
    authority = DemoAuthority.load_or_create(authority_directory())
    trusted = [*settings.LEVIER_2DDOC_TRUSTED_CERTIFICATES, authority.trusted_setting]
    with override_settings(LEVIER_2DDOC_TRUSTED_CERTIFICATES=trusted):
        _timed(report, "documents", add_two_d_docs, setup, authority, rng, report)
        add_bank_details(setup, rng, report)
        plant_duplicates(setup, rng, report)
        _timed(report, "checks", check_recent_documents, setup, report)
    # Rules run on submission: the open cases, as if each had just been submitted.
    open_cases = Case.objects.open().select_related("procedure_version").order_by("id")
    _timed(report, "rules", rule_checks.rules_evaluate_cases, open_cases)
    for slug in MODELS:
        procedure = setup.procedures[slug]
        _timed(report, f"score {slug}", _score, procedure, seed)
    flagged = set(
        Flag.objects.filter(code="atypical", case__reference__in=report.planted).values_list(
            "case__reference", flat=True
        )
    )
    report.found_planted = [reference for reference in report.planted if reference in flagged]
    _timed(report, "results", record_past_controls, setup, report, rng)
    report.flags = Flag.objects.count()
    return report


def _score(procedure, seed: int) -> None:
    batch_scoring.anomaly_score_procedure(procedure=procedure, seed=seed)
