"""Meta-test: every agent-facing URL that takes an id answers 404 outside the agent's teams.

It walks the URL patterns of the agent-facing namespaces, so a new view is checked the
day it is added; a URL argument it cannot map to a test object fails the test.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from levier.campaigns.models import Campaign
from levier.cases.models import CaseStatus, SupportingDocument
from levier.controls.models import Flag
from levier.core.models import Notification, Role
from levier.documents.models import (
    DocumentTemplate,
    DocumentTemplateVersion,
    GeneratedDocument,
    MergeBatch,
    MergeStatus,
)
from levier.enquiries.models import Attachment
from levier.insights.exports.services import export_dir
from levier.insights.models import ExportJob, ExportStatus, ReportRun, ScheduledReport
from levier.insights.reports.services import reports_dir
from levier.mailing.models import OutboundEmail

from .factories import (
    AgentFactory,
    CaseFactory,
    EnquiryFactory,
    MessageFactory,
    OrganisationFactory,
    ProcedureFactory,
    TeamFactory,
    TopicFactory,
)
from .hostile_pdfs import page_tree_pdf

AGENT_NAMESPACES = {"core", "cases", "enquiries", "documents", "campaigns", "controls", "insights"}
# The test objects that are a case or hang on one: a URL naming one of them is about a case.
CASE_OBJECTS = {"case", "document", "generated", "email", "flag"}
# The data protection officer's pages: a 404 for every other role (tested below).
DPO_NAMESPACES = {"privacy"}


# insights pages for team leads, managers and administrators only (a 404 for anyone else).
INSIGHTS_LEADS_ONLY = {
    "insights:process",
    "insights:map",
    "insights:time_saved",
    "insights:gestes",
    "insights:adopt_standard",
    "insights:reports",
    "insights:report_new",
}


def agent_patterns(namespaces=AGENT_NAMESPACES) -> list[tuple[str, list[str]]]:
    """(namespaced name, argument names) of every agent-facing URL pattern."""
    found = []

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and entry.name and namespace in namespaces:
                found.append((f"{namespace}:{entry.name}", list(entry.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, None)
    return found


def objects_of(team, owner, case_status=CaseStatus.SUBMITTED):
    procedure = ProcedureFactory(team=team)
    case = CaseFactory(procedure=procedure, status=case_status)
    pdf = page_tree_pdf(1)  # a PDF, so that its page preview has something to draw
    document = SupportingDocument(
        case=case,
        field_name="piece",
        original_name="a.pdf",
        page_count=1,
        content_type="application/pdf",
        size=len(pdf),
        sha256="0" * 64,
    )
    document.file.save("a.pdf", ContentFile(pdf), save=True)
    enquiry = EnquiryFactory(topic=TopicFactory(team=team))
    message = MessageFactory(enquiry=enquiry)
    attachment = Attachment(
        message=message, original_name="b.txt", content_type="text/plain", size=5, sha256="1" * 64
    )
    attachment.file.save("b.txt", ContentFile(b"texte"), save=True)
    notification = Notification.objects.create(agent=owner, text="x", url="/")
    template = DocumentTemplate.objects.create(name="Lettre", kind="html", procedure=procedure)
    version = DocumentTemplateVersion.objects.create(
        template=template, number=1, body="x", is_published=True
    )
    generated = GeneratedDocument(
        case=case,
        template_version=version,
        format="pdf",
        file_name="lettre.pdf",
        sha256="2" * 64,
        size=5,
    )
    generated.file.save("lettre.pdf", ContentFile(b"%PDF-"), save=True)
    batch = MergeBatch(
        template_version=version,
        format="pdf",
        filters={"procedure_id": procedure.pk},
        case_ids=[case.pk],
        done_count=1,
        status=MergeStatus.DONE,
        created_by=owner,
    )
    batch.zip_file.save("publipostage.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=True)
    email = OutboundEmail.objects.create(
        to="u@example.org",
        subject="x",
        body_text="x",
        message_id=f"<case-{case.pk}@test>",
        status="sent",
        about_type="cases.case",
        about_id=str(case.pk),
    )
    campaign = Campaign.objects.create(
        name="Relance", procedure=procedure, subject="x", body="x", created_by=owner
    )
    flag = Flag.objects.create(
        case=case, procedure=procedure, source="anomaly", code="atypical", reasons=["x"]
    )
    # A large export (insights), ready: only its agent sees it and downloads its file.
    export = ExportJob.objects.create(
        agent=owner, list_name="cases", format="csv", status=ExportStatus.DONE, total_rows=1,
        done_rows=1, file_name=f"export-{owner.pk}.csv",
    )  # fmt: skip
    (export_dir() / export.file_name).write_bytes(b"\xef\xbb\xbfReference\r\n")
    # A scheduled report and one archived run: only its owner (and administrators) see them.
    report = ScheduledReport.objects.create(
        owner=owner, name="Rapport", team=team, frequency="weekly", recipients="a@example.org",
        next_run_at="2030-01-07T06:00:00+01:00",
    )  # fmt: skip
    run = ReportRun.objects.create(
        report=report, period_start="2025-03-10", period_end="2025-03-16",
        pdf_file=f"rapport-{report.pk}.pdf", annex_file=f"rapport-{report.pk}.xlsx",
    )  # fmt: skip
    (reports_dir() / run.pdf_file).write_bytes(b"%PDF-")
    (reports_dir() / run.annex_file).write_bytes(b"PK")
    return {
        "report": report,
        "run": run,
        "export": export,
        "flag": flag,
        "case": case,
        "document": document,
        "enquiry": enquiry,
        "attachment": attachment,
        "message": message,
        "notification": notification,
        "generated": generated,
        "batch": batch,
        "email": email,
        "campaign": campaign,
        "team": team,
    }


def object_keys(name: str, args: list[str]) -> dict[str, str]:
    """Which test object (a key of objects_of) each URL argument names."""
    namespace = name.split(":")[0]
    primary = {
        "cases": "case",
        "enquiries": "enquiry",
        "core": "notification",
        "documents": "case",
        "campaigns": "campaign",
        "controls": "flag",
        "insights": "export",  # the process map takes no id; its figures are checked below
    }[namespace]
    keys = {}
    for arg in args:
        for key in (
            "report",
            "run",
            "export",
            "flag",
            "campaign",
            "generated",
            "document",
            "attachment",
            "notification",
            "message",
            "case",
            "enquiry",
            "batch",
            "email",
            "team",
        ):
            if key in arg or (key == "document" and arg.startswith("doc")):
                keys[arg] = key
                break
        else:
            if arg in {"pk", "id"}:
                keys[arg] = primary
            elif arg == "page":  # a page number, not an object
                keys[arg] = "page"
            elif arg == "list_name":  # an export's list (insights), not an object
                keys[arg] = "list_name"
            else:
                raise AssertionError(
                    f"{name}: no test object for URL argument {arg!r}; extend test_scoping"
                )
    return keys


def kwargs_for(name: str, args: list[str], objects) -> dict[str, int | str]:
    fixed: dict[str, int | str] = {"page": 1, "list_name": "cases"}
    return {
        arg: fixed[key] if key in fixed else objects[key].pk
        for arg, key in object_keys(name, args).items()
    }


# URLs whose arguments name no object of a team: a list's export takes the list's name and
# exports what the agent sees (tests/insights/test_exports.py); they are walked as lists.
LIST_ARGUMENTS = {"list_name"}


@pytest.mark.django_db
def test_every_agent_url_with_an_id_is_a_404_outside_the_agents_teams(client, team, other_team):
    agent = AgentFactory(teams=[team])
    outsider = AgentFactory(teams=[other_team])
    mine = objects_of(team, owner=agent)
    theirs = objects_of(other_team, owner=outsider)
    client.force_login(agent)

    checked = 0
    for name, args in agent_patterns():
        if not args or LIST_ARGUMENTS & set(args):
            continue
        foreign_url = reverse(name, kwargs=kwargs_for(name, args, theirs))
        own_url = reverse(name, kwargs=kwargs_for(name, args, mine))
        assert client.post(foreign_url).status_code == 404, (
            f"POST {name} leaks another team's object"
        )
        assert client.get(foreign_url).status_code in {404, 405}, (
            f"GET {name} leaks another team's object"
        )
        own_status = client.get(own_url).status_code
        assert own_status != 404 and own_status < 500, (
            f"GET {name} on the agent's own object: {own_status}"
        )
        checked += 1
    assert checked >= 6


@pytest.mark.django_db
def test_every_agent_url_without_an_id_answers_without_error(client, team):
    client.force_login(AgentFactory(teams=[team]))
    for name, args in agent_patterns():
        # campaigns:new, the process map, the map, time saved and the department dashboard are
        # a 404 for a plain agent (leads and up only: tests/campaigns,
        # tests/insights/test_process_page.py, test_map_page.py, test_time_saved.py,
        # test_dashboards.py).
        if name in {"core:logout", "campaigns:new", "insights:department_dashboard"} | (
            INSIGHTS_LEADS_ONLY
        ):
            continue
        if LIST_ARGUMENTS & set(args):
            url = reverse(name, kwargs={"list_name": "cases"}) + "?format=csv"
        elif args:
            continue
        else:
            url = reverse(name)
        status = client.get(url).status_code
        assert status in {200, 302, 405}, f"GET {name}: {status}"


@pytest.mark.django_db
def test_agent_pages_require_login(client, team):
    objects = objects_of(team, owner=AgentFactory(teams=[team]))
    for name, args in agent_patterns():
        if name in {"core:login", "core:logout"}:
            continue
        url = reverse(name, kwargs=kwargs_for(name, args, objects))
        response = client.get(url)
        assert response.status_code in {302, 405}, (
            f"{name} answers {response.status_code} to an anonymous visitor"
        )
        if response.status_code == 302:
            assert "/connexion/" in response.url


@pytest.mark.django_db
def test_a_draft_is_a_404_on_every_agent_url_and_absent_from_every_list(client, team):
    """A draft belongs to its usager until submitted, even in the agent's own team."""
    agent = AgentFactory(teams=[team])
    draft = objects_of(team, owner=agent, case_status=CaseStatus.DRAFT)
    client.force_login(agent)
    checked = 0
    for name, args in agent_patterns():
        if name == "core:logout":
            continue
        if not args or LIST_ARGUMENTS & set(args):
            url = reverse(name, kwargs=kwargs_for(name, args, draft))
            response = client.get(url + ("?format=csv" if args else ""))
            content = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )
            assert draft["case"].reference not in content.decode(), f"{name} lists a draft"
            continue
        if not CASE_OBJECTS & set(object_keys(name, args).values()):
            continue  # about an enquiry, a campaign, a mail merge: not about the draft
        url = reverse(name, kwargs=kwargs_for(name, args, draft))
        assert client.post(url).status_code == 404, f"POST {name} acts on a draft"
        assert client.get(url).status_code in {404, 405}, f"GET {name} shows a draft"
        checked += 1
    assert checked >= 6


def dpo_urls(contact) -> list[str]:
    urls = []
    for name, args in agent_patterns(DPO_NAMESPACES):
        assert set(args) <= {"contact_id"}, f"{name}: extend test_scoping for {args}"
        urls.append(reverse(name, kwargs={arg: contact.pk for arg in args}))
    assert urls
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.MANAGER])
def test_the_data_protection_pages_are_a_404_for_other_roles(client, team, role):
    case = CaseFactory(procedure=ProcedureFactory(team=team))
    client.force_login(AgentFactory(role=role, teams=[team], organisation=team.organisation))
    for url in dpo_urls(case.contact):
        assert client.get(url).status_code == 404, f"{url} opens for a {role}"
        assert client.post(url).status_code in {404, 405}, f"POST {url} for a {role}"


@pytest.mark.django_db
def test_the_data_protection_pages_open_for_the_dpo_and_require_login(client, team):
    case = CaseFactory(procedure=ProcedureFactory(team=team))
    urls = dpo_urls(case.contact)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/connexion/" in response.url
    client.force_login(AgentFactory(role=Role.DPO, organisation=team.organisation))
    for url in urls:
        assert client.get(url).status_code == 200, url


# --- lists and aggregates, other organisations, roles inside a team ------------------

# Per-request noise: CSRF tokens (masked anew on every response).
REQUEST_NOISE = re.compile(r"[A-Za-z0-9]{64}")


def pages_without_id(client) -> dict[str, str]:
    """Every agent page that takes no id (lists, dashboards, statistics), as rendered."""
    pages = {}
    for name, args in agent_patterns():
        if name == "core:logout" or (args and not LIST_ARGUMENTS & set(args)):
            continue
        if args:  # a list's export (insights): each list, as a CSV file
            for list_name in ("cases", "enquiries", "proposals"):
                url = reverse(name, kwargs={"list_name": list_name}) + "?format=csv"
                response = client.get(url)
                content = b"".join(response.streaming_content) if response.streaming else b""
                pages[f"{name}:{list_name}"] = f"{response.status_code} {content.decode()}"
            continue
        response = client.get(reverse(name))
        body = (
            response.content.decode() if response.status_code == 200 else str(response.status_code)
        )
        pages[name] = REQUEST_NOISE.sub("", body)
    return pages


def outsiders_data(team):
    """A team's objects, with flags in every source and territory the statistics count."""
    outsider = AgentFactory(teams=[team], organisation=team.organisation)
    objects = objects_of(team, owner=outsider)
    procedure = objects["case"].procedure
    for source, territory in (("anomaly", "69"), ("rule", "75"), ("random", "13"), ("anomaly", "")):
        case = CaseFactory(procedure=procedure)
        Flag.objects.create(
            case=case,
            procedure=procedure,
            source=source,
            code="x",
            reasons=["x"],
            territory=territory,
            result="confirmed",
        )
    return objects


def viewer_and_outside_team(kind, team):
    """(viewer, a team whose objects the viewer must never see) for each way to be outside."""
    if kind == "agent of another team":
        return AgentFactory(teams=[team], organisation=team.organisation), TeamFactory()
    other_organisation = OrganisationFactory(name="Préfecture voisine")
    outside = TeamFactory(organisation=other_organisation)
    if kind == "manager of another organisation":
        return AgentFactory(manager=True, teams=[], organisation=team.organisation), outside
    if kind == "team lead of another organisation":
        return AgentFactory(
            role=Role.TEAM_LEAD, teams=[team], organisation=team.organisation
        ), outside
    # Fail closed: without an organisation, a manager sees their own teams only.
    return AgentFactory(manager=True, teams=[team], organisation=None), TeamFactory()


VIEWERS = [
    "agent of another team",
    "manager of another organisation",
    "team lead of another organisation",
    "manager without organisation",
]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", VIEWERS)
def test_lists_and_aggregates_do_not_change_when_outsiders_add_data(client, team, kind):
    """Lists, counts, statistics and territory rates: another team's or organisation's rows,
    and drafts of the viewer's own team, never show, not even as a number (e.g. the controls
    page's statistics and territory rates)."""
    viewer, outside = viewer_and_outside_team(kind, team)
    own = outsiders_data(team)  # the viewer's own teams' rows, so the figures are not all zero
    client.force_login(viewer)
    before = pages_without_id(client)
    outsiders_data(outside)
    for _ in range(3):  # drafts on a procedure of the viewer's team, with a flag each
        draft = CaseFactory(procedure=own["case"].procedure, draft=True)
        Flag.objects.create(
            case=draft,
            procedure=draft.procedure,
            source="anomaly",
            code="x",
            reasons=["x"],
            territory="69",
        )
    after = pages_without_id(client)
    assert before.keys() == after.keys() and len(before) >= 6
    for name in before:
        assert before[name] == after[name], f"{name} changes with another team's data ({kind})"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", VIEWERS[1:])
def test_every_agent_url_of_another_organisation_is_a_404(client, team, kind):
    viewer, outside = viewer_and_outside_team(kind, team)
    theirs = objects_of(
        outside, owner=AgentFactory(teams=[outside], organisation=outside.organisation)
    )
    client.force_login(viewer)
    checked = 0
    for name, args in agent_patterns():
        if not args or LIST_ARGUMENTS & set(args):
            continue
        url = reverse(name, kwargs=kwargs_for(name, args, theirs))
        assert client.post(url).status_code == 404, (
            f"POST {name}: another organisation's object ({kind})"
        )
        assert client.get(url).status_code in {404, 405}, (
            f"GET {name}: another organisation's object ({kind})"
        )
        checked += 1
    assert checked >= 6


# URLs only a team lead, a manager or an administrator may use, inside their own team.
LEAD_ONLY = {"campaigns:new", "campaigns:start", "campaigns:cancel"}


@pytest.mark.django_db
def test_a_plain_agent_cannot_do_what_only_a_team_lead_may_in_their_own_team(client, team):
    agent = AgentFactory(teams=[team], organisation=team.organisation)
    lead = AgentFactory(role=Role.TEAM_LEAD, teams=[team], organisation=team.organisation)
    mine = objects_of(team, owner=lead)
    campaign = mine["campaign"]
    campaign.procedure.published = True
    campaign.procedure.save()
    lead_only = [(name, args) for name, args in agent_patterns() if name in LEAD_ONLY]
    assert {name for name, _ in lead_only} == LEAD_ONLY

    client.force_login(agent)
    for name, args in lead_only:
        url = reverse(name, kwargs=kwargs_for(name, args, mine))
        data = {
            "name": "Relance",
            "procedure": campaign.procedure_id,
            "subject": "x",
            "body": "x",
            "per_minute": 10,
        }
        assert client.post(url, data).status_code == 404, f"POST {name} by a plain agent"
        assert client.get(url).status_code in {404, 405}, f"GET {name} by a plain agent"
    campaign.refresh_from_db()
    assert campaign.status == "draft" and Campaign.objects.count() == 1

    # The same requests by the team's lead do what they say: the refusal above is the role's.
    client.force_login(lead)
    assert client.get(reverse("campaigns:new")).status_code == 200
    assert (
        client.post(reverse("campaigns:cancel", kwargs={"campaign_pk": campaign.pk})).status_code
        == 302
    )
    campaign.refresh_from_db()
    assert campaign.status == "cancelled"
