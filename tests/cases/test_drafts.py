"""A draft belongs to its usager until they submit it (issue 10, item 14).

No agent-facing list, page, action, count, export or merge shows a draft or acts on it:
pages and actions answer 404, lists and counts leave it out. Each test sets a draft (with
a NIR, an IBAN and a real PDF tax notice) beside a submitted case of the same procedure
and team, so that what the agent still sees proves the page works.
"""

from __future__ import annotations

import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from levier.campaigns import selectors as campaign_selectors
from levier.campaigns import services as campaign_services
from levier.campaigns.forms import CampaignForm
from levier.cases import selectors, services
from levier.cases.models import Case, CaseStatus, SupportingDocument
from levier.contacts.selectors import contact_list_for
from levier.controls import selectors as control_selectors
from levier.controls.models import DocumentCheck, Flag
from levier.controls.services import case_check_now
from levier.controls.tasks import check_case
from levier.core.models import Role
from levier.core.policy import NotFound
from levier.core.uploads import check_upload, store_checked
from levier.documents import services as document_services
from levier.documents.models import MergeBatch, TemplateKind
from levier.enquiries.selectors import visible_links
from levier.exchange.services import api_client_create
from levier.journal.models import Event
from levier.journal.services import Actor
from tests.factories import AgentFactory, CaseFactory, ContactFactory, ProcedureFactory

from .conftest import VALID_IBAN, VALID_NIR, make_pdf, upload

pytestmark = pytest.mark.django_db

SCHEMA = [
    {"name": "objet", "label": "Objet", "type": "text", "required": True},
    {"name": "montant_demande", "label": "Montant demandé", "type": "money", "required": True},
    {"name": "nir", "label": "NIR", "type": "nir"},
    {"name": "iban", "label": "IBAN", "type": "iban"},
    {"name": "avis", "label": "Avis d'impôt", "type": "file", "required": True},
]
LETTER = "<p>{{ usager.nom_complet }} — {{ dossier.reference }} — {{ dossier.montant_demande }}</p>"
DRAFT_REFERENCE = "APE-2026-900001"
SUBMITTED_REFERENCE = "APE-2026-000001"


@pytest.fixture
def procedure(team):
    return ProcedureFactory(team=team, field_schema=SCHEMA, name="Aide aux petites entreprises")


def _with_notice(case: Case) -> Case:
    """A real PDF tax notice as the case's supporting document."""
    document = SupportingDocument(case=case, field_name="avis")
    store_checked(document, check_upload(upload("avis-impot.pdf", make_pdf(1))))
    return case


@pytest.fixture
def draft(procedure):
    """A usager's draft in the agent's own team, holding what agents must not read."""
    return _with_notice(
        CaseFactory(
            procedure=procedure,
            draft=True,
            reference=DRAFT_REFERENCE,
            contact=ContactFactory(first_name="Lucie", last_name="Marchand"),
            data={"objet": "Four", "montant_demande": "900.00", "nir": VALID_NIR,
                  "iban": VALID_IBAN},
            due_at=None,
        )
    )  # fmt: skip


@pytest.fixture
def submitted(procedure):
    """A submitted case of the same procedure and team: what the agent does see."""
    return _with_notice(
        CaseFactory(
            procedure=procedure,
            reference=SUBMITTED_REFERENCE,
            contact=ContactFactory(first_name="Paul", last_name="Girard"),
            data={"objet": "Vitrine", "montant_demande": "1200.00"},
        )
    )


@pytest.fixture
def manager(team):
    return AgentFactory(username="direction", teams=[team], role=Role.MANAGER)


@pytest.fixture
def letter(procedure):
    admin = AgentFactory(username="admin-docs", administrator=True)
    template = document_services.document_template_create(
        name="Attestation", kind=TemplateKind.HTML, procedure=procedure, actor=admin
    )
    version = document_services.document_template_add_version(
        template=template, body=LETTER, actor=admin
    )
    document_services.document_template_publish(version=version, actor=admin)
    return template


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- case list, search, filters, home page ------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": DRAFT_REFERENCE},
        {"q": "marchand"},
        {"status": "draft"},
        {"status": "open"},
        {"assignee": "none"},
        {"sla": "on_time"},
    ],
)
def test_the_case_list_never_lists_a_draft(agent_client, agent, draft, submitted, procedure, query):
    page = _page(agent_client.get(reverse("cases:list"), query))
    assert reverse("cases:detail", args=[draft.pk]) not in page
    assert not selectors.case_list_for(agent, **query).filter(pk=draft.pk).exists()
    unfiltered = _page(agent_client.get(reverse("cases:list"), {"procedure": procedure.pk}))
    assert SUBMITTED_REFERENCE in unfiltered and DRAFT_REFERENCE not in unfiltered


def test_a_manager_of_every_team_sees_no_draft_either(client, manager, draft, submitted):
    client.force_login(manager)
    assert client.get(reverse("cases:detail", args=[draft.pk])).status_code == 404
    page = _page(client.get(reverse("cases:list")))
    assert SUBMITTED_REFERENCE in page and DRAFT_REFERENCE not in page


def test_the_status_filter_does_not_offer_draft(agent_client, draft):
    page = _page(agent_client.get(reverse("cases:list")))
    assert 'value="draft"' not in page


def test_the_home_page_queues_leave_drafts_out(agent_client, agent, draft, submitted):
    Case.objects.filter(pk=draft.pk).update(assignee=agent)  # even one given to the agent
    page = _page(agent_client.get(reverse("core:home")))
    assert SUBMITTED_REFERENCE in page and DRAFT_REFERENCE not in page
    assert draft.pk not in {case.pk for case in selectors.my_open_cases(agent)}
    assert draft.pk not in {case.pk for case in selectors.team_queue(agent)}


# --- the case page and its actions ------------------------------------------------------


def test_the_case_page_and_its_documents_are_a_404(agent_client, agent, draft):
    document = draft.documents.get()
    assert agent_client.get(reverse("cases:detail", args=[draft.pk])).status_code == 404
    url = reverse("cases:document", args=[draft.pk, document.pk])
    assert agent_client.get(url).status_code == 404
    with pytest.raises(Http404):
        selectors.get_case_for(agent, draft.pk)
    with pytest.raises(Http404):
        selectors.get_document_for(agent, draft.pk, document.pk)
    # Not even read: nothing journals an agent's look at the draft.
    assert not Event.objects.filter(target_id=str(draft.pk), verb="read").exists()


def test_an_agent_cannot_take_or_assign_a_draft(agent_client, agent, draft):
    response = agent_client.post(reverse("cases:assign", args=[draft.pk]), {"take": "1"})
    assert response.status_code == 404
    response = agent_client.post(
        reverse("cases:assign", args=[draft.pk]), {"assignee": str(agent.pk)}
    )
    assert response.status_code == 404
    with pytest.raises(NotFound):
        services.case_assign(case=draft, assignee=agent, actor=agent)
    draft.refresh_from_db()
    assert draft.assignee_id is None
    assert not Event.objects.filter(target_id=str(draft.pk), verb="assign").exists()


def test_an_agent_cannot_submit_a_draft_on_the_usagers_behalf(agent_client, agent, draft):
    response = agent_client.post(
        reverse("cases:transition", args=[draft.pk]), {"to_status": CaseStatus.SUBMITTED}
    )
    assert response.status_code == 404
    with pytest.raises(NotFound):
        services.case_transition(case=draft, to_status=CaseStatus.SUBMITTED, actor=agent)
    draft.refresh_from_db()
    assert draft.status == CaseStatus.DRAFT and draft.submitted_at is None


def test_no_transition_leaves_a_draft(draft):
    """Only the usager's submission does (it sets the dates and emails the code)."""
    assert services.allowed_transitions(draft) == ()
    with pytest.raises(ValidationError):
        services.case_transition(
            case=draft, to_status=CaseStatus.SUBMITTED, actor=Actor.robot("test")
        )


def test_an_agent_cannot_comment_or_add_a_document_on_a_draft(agent_client, agent, draft):
    response = agent_client.post(reverse("cases:comment", args=[draft.pk]), {"body": "Vu"})
    assert response.status_code == 404
    with pytest.raises(NotFound):
        services.case_comment(case=draft, author=agent, body="Vu")
    with pytest.raises(NotFound):
        services.document_add(
            case=draft,
            field_name="avis",
            checked=check_upload(upload("avis.pdf", make_pdf(1))),
            actor=agent,
        )
    assert not draft.comments.exists() and draft.documents.count() == 1


# --- documents: generation, merge, ZIP -------------------------------------------------------


def test_no_document_is_generated_on_a_draft(agent_client, agent, draft, letter):
    response = agent_client.post(
        reverse("documents:generate", args=[draft.pk]), {"template": letter.pk, "format": "pdf"}
    )
    assert response.status_code == 404
    with pytest.raises(NotFound):
        document_services.document_generate(case=draft, template=letter, actor=agent)
    assert not draft.generated_documents.exists()


def test_a_mail_merge_counts_and_merges_no_draft(
    agent_client, agent, draft, submitted, procedure, letter, django_capture_on_commit_callbacks
):
    url = reverse("documents:merge_new") + f"?procedure={procedure.pk}"
    assert agent_client.get(url).context["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(url, {"template": letter.pk, "format": "pdf"})
    assert response.status_code == 302
    batch = MergeBatch.objects.get()
    assert batch.case_ids == [submitted.pk]
    with batch.zip_file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        names = archive.namelist()
    assert any(SUBMITTED_REFERENCE in name for name in names)
    assert not any(DRAFT_REFERENCE in name for name in names)
    assert not draft.generated_documents.exists()


def test_a_merge_frozen_with_a_draft_skips_it(agent, draft, submitted, letter):
    """A merge frozen before drafts were hidden: the run refuses the draft, naming nothing."""
    batch = MergeBatch.objects.create(
        template_version=letter.published_version,
        format="pdf",
        filters={"procedure_id": submitted.procedure_id},
        case_ids=[submitted.pk, draft.pk],
        created_by=agent,
    )
    batch = document_services.merge_run(batch_id=batch.pk)
    assert batch.done_count == 1
    assert [(f["case_id"], f["reference"]) for f in batch.failures] == [(draft.pk, "")]
    assert not draft.generated_documents.exists()


def test_the_zip_of_a_merge_frozen_with_a_draft_is_withdrawn(agent_client, agent, draft, letter):
    """Its ZIP was built before drafts were hidden and may hold the draft's document."""
    batch = MergeBatch.objects.create(
        template_version=letter.published_version,
        format="pdf",
        filters={"procedure_id": draft.procedure_id},
        case_ids=[draft.pk],
        done_count=1,
        status="done",
        created_by=agent,
    )
    batch.zip_file.save("publipostage.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=True)
    download = reverse("documents:merge_download", args=[batch.pk])
    assert agent_client.get(download).status_code == 404
    with translation.override("fr"):
        page = _page(agent_client.get(reverse("documents:merge_detail", args=[batch.pk])))
    assert download not in page and "Ce fichier ZIP a été retiré" in page


# --- campaigns ----------------------------------------------------------------------------------


def test_a_campaign_never_targets_a_draft(team, draft, submitted, procedure):
    lead = AgentFactory(teams=[team], role=Role.TEAM_LEAD)
    every_status = campaign_services.campaign_create(
        actor=lead, name="Information", procedure=procedure, subject="Votre dossier",
        body="Bonjour {{ usager.nom_complet }}",
    )  # fmt: skip
    targets = set(campaign_selectors.campaign_targets(every_status).values_list("pk", flat=True))
    assert targets == {submitted.pk}
    assert campaign_services.campaign_preview(every_status).target_count == 1


def test_draft_is_no_status_a_campaign_may_choose(team, procedure):
    lead = AgentFactory(teams=[team], role=Role.TEAM_LEAD)
    assert CaseStatus.DRAFT not in dict(
        CampaignForm(procedures=None).fields["case_statuses"].choices
    )
    with pytest.raises(ValidationError) as caught:
        campaign_services.campaign_create(
            actor=lead, name="Relance", procedure=procedure, subject="Votre brouillon",
            body="Bonjour", case_statuses=[CaseStatus.DRAFT],
        )  # fmt: skip
    assert "case_statuses" in caught.value.message_dict
    with translation.override("fr"):
        assert "une campagne ne peut pas les cibler" in str(caught.value.messages[0])


# --- controls --------------------------------------------------------------------------------


def test_controls_never_check_a_draft(agent_client, agent, draft):
    assert agent_client.post(reverse("controls:case_check", args=[draft.pk])).status_code == 404
    with pytest.raises(NotFound):
        case_check_now(case=draft, actor=agent)
    # The robot that checks documents on submission leaves a draft alone too.
    assert check_case.call(draft.pk) == {"documents": 0, "rules": 0}
    assert not DocumentCheck.objects.filter(case=draft).exists()


def test_a_flag_on_a_draft_is_in_no_list_page_or_count(agent_client, agent, draft, submitted):
    """Flags raised on a draft before drafts were hidden (or by a stray robot)."""
    hidden = Flag.objects.create(
        case=draft, procedure=draft.procedure, source="document", code="x", reasons=["NIR"]
    )
    shown = Flag.objects.create(
        case=submitted, procedure=submitted.procedure, source="document", code="x", reasons=["a"]
    )
    assert list(control_selectors.flags_for(agent, state="all")) == [shown]
    page = _page(agent_client.get(reverse("controls:list"), {"state": "all"}))
    assert SUBMITTED_REFERENCE in page and DRAFT_REFERENCE not in page
    statistics = control_selectors.control_statistics(agent)
    assert [row.raised for row in statistics.sources] == [1]
    for name in ("result", "advice", "advice_outcome"):
        response = agent_client.post(reverse(f"controls:{name}", args=[hidden.pk]))
        assert response.status_code == 404, name


def test_territory_rates_count_no_draft(agent, draft, submitted):
    Flag.objects.create(
        case=draft, procedure=draft.procedure, source="anomaly", code="atypical", territory="69"
    )
    rates, overall = control_selectors.flag_rates_by_territory(agent, draft.procedure)
    assert sum(row.flagged for row in rates) == 0 and overall == 0.0
    assert sum(row.cases for row in rates) == 1


# --- contacts, enquiry links, partners' API, admin, portal ------------------------------------


def test_a_usager_known_only_by_a_draft_is_no_contact_of_the_agents(agent, draft, submitted):
    visible = set(contact_list_for(agent).values_list("pk", flat=True))
    assert submitted.contact_id in visible and draft.contact_id not in visible


def test_an_enquiry_naming_a_draft_links_nowhere(agent, draft, submitted):
    links = [{"type": "case", "id": draft.pk}, {"type": "case", "id": submitted.pk}]
    assert set(visible_links(agent, links)) == {("case", submitted.pk)}


def test_the_partners_api_knows_no_draft(client, draft):
    _client, token = api_client_create(
        name="France Services", scopes=["enquiries:read"], actor=Actor.robot("test")
    )
    response = client.get(
        f"/api/v1/enquiries/{DRAFT_REFERENCE}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 404
    assert VALID_NIR not in response.content.decode()


@pytest.fixture
def admin_client(client):
    client.force_login(AgentFactory(administrator=True))
    return client


def test_the_admin_lists_no_draft_and_opens_none(admin_client, draft, submitted):
    page = _page(admin_client.get(reverse("admin:cases_case_changelist")))
    assert SUBMITTED_REFERENCE in page and DRAFT_REFERENCE not in page
    searched = _page(
        admin_client.get(reverse("admin:cases_case_changelist"), {"q": DRAFT_REFERENCE})
    )
    assert reverse("admin:cases_case_change", args=[draft.pk]) not in searched
    response = admin_client.get(reverse("admin:cases_case_change", args=[draft.pk]), follow=True)
    assert VALID_NIR not in response.content.decode()
    assert VALID_IBAN not in response.content.decode()


def test_the_admin_shows_no_flag_or_check_of_a_draft(admin_client, draft):
    Flag.objects.create(case=draft, procedure=draft.procedure, source="rule", code="x")
    for name in ("admin:controls_flag_changelist", "admin:controls_documentcheck_changelist"):
        assert DRAFT_REFERENCE not in _page(admin_client.get(reverse(name)))


def test_the_usager_still_finds_no_draft_on_the_follow_page(draft):
    """The portal follows submitted cases only; a draft is the usager's, not yet a case."""
    assert selectors.case_by_reference(DRAFT_REFERENCE) is None
