"""Mail merge: frozen list, failures named, ZIP, resumption without duplicates, CLI, views."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from levier.cases.models import CaseStatus
from levier.documents import merge, services
from levier.documents.models import GeneratedDocument, MergeBatch, MergeStatus, TemplateKind
from levier.documents.services import mail_merge
from levier.journal.models import Event
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

BODY = "<p>{{ dossier.reference }} — {{ usager.nom_complet }} — {{ dossier.montant_demande }}</p>"


@pytest.fixture
def merge_template(procedure, admin_agent):
    template = services.document_template_create(
        name="Notification", kind=TemplateKind.HTML, procedure=procedure, actor=admin_agent
    )
    version = services.document_template_add_version(
        template=template, body=BODY, actor=admin_agent
    )
    services.document_template_publish(version=version, actor=admin_agent)
    return template


def make_cases(procedure, count: int, *, missing: int = 0) -> list:
    """`count` cases, the first `missing` without the `montant_demande` merge field."""
    return [
        CaseFactory(
            procedure=procedure,
            reference=f"APE-2026-{index:06d}",
            data={"objet": "Four", "montant_demande": None if index < missing else "1200.00"},
        )
        for index in range(count)
    ]


def start(template, agent, procedure, **filters) -> MergeBatch:
    return services.merge_start(
        template=template,
        format="pdf",
        agent=agent,
        filters={"procedure_id": procedure.pk, **filters},
        enqueue=False,
    )


def test_thirty_cases_three_failures_and_a_zip(agent, procedure, merge_template):
    cases = make_cases(procedure, 30, missing=3)
    batch = start(merge_template, agent, procedure)
    assert batch.case_ids == sorted(case.pk for case in cases)

    batch = services.merge_run(batch_id=batch.pk, chunk=10)

    assert batch.status == MergeStatus.DONE and batch.finished_at is not None
    assert batch.done_count == 27 and GeneratedDocument.objects.count() == 27
    assert {f["reference"] for f in batch.failures} == {f"APE-2026-{i:06d}" for i in range(3)}
    assert all("montant_demande" in failure["reason"] for failure in batch.failures)
    with batch.zip_file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        names = archive.namelist()
        assert len(names) == 27 and all(name.endswith(".pdf") for name in names)
        assert all(archive.read(name).startswith(b"%PDF") for name in names)
    verbs = set(
        Event.objects.filter(target_type="documents.mergebatch").values_list("verb", flat=True)
    )
    assert verbs == {"start-merge", "finish-merge"}


def test_a_crash_mid_way_is_resumed_without_duplicates(
    agent, procedure, merge_template, monkeypatch
):
    make_cases(procedure, 12)
    batch = start(merge_template, agent, procedure)
    real_generate = services.document_generate
    calls = {"n": 0}

    def crashing_generate(**kwargs):
        calls["n"] += 1
        if calls["n"] == 8:  # the process dies in the second chunk, after 2 of its documents
            raise RuntimeError("worker killed")
        return real_generate(**kwargs)

    monkeypatch.setattr(mail_merge, "document_generate", crashing_generate)
    with pytest.raises(RuntimeError):
        services.merge_run(batch_id=batch.pk, chunk=5)
    batch.refresh_from_db()
    assert batch.status == MergeStatus.RUNNING and batch.done_count == 5
    assert GeneratedDocument.objects.count() == 7  # 2 documents beyond the saved progress

    monkeypatch.setattr(mail_merge, "document_generate", real_generate)
    batch = services.merge_run(batch_id=batch.pk, chunk=5)

    assert batch.status == MergeStatus.DONE and batch.done_count == 12 and batch.failures == []
    per_case = GeneratedDocument.objects.values_list("case_id", flat=True)
    assert len(per_case) == 12 and len(set(per_case)) == 12
    with batch.zip_file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        assert len(archive.namelist()) == 12
    # Running a finished merge again does nothing.
    services.merge_run(batch_id=batch.pk)
    assert GeneratedDocument.objects.count() == 12


def test_the_task_runs_the_merge_once_committed(
    agent, procedure, merge_template, django_capture_on_commit_callbacks
):
    make_cases(procedure, 3, missing=1)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.merge_start(
            template=merge_template, format="pdf", agent=agent,
            filters={"procedure_id": procedure.pk},
        )  # fmt: skip
    batch.refresh_from_db()
    assert batch.status == MergeStatus.DONE and batch.done_count == 2 and len(batch.failures) == 1


def test_filters_are_the_case_lists(agent, procedure, merge_template, other_team):
    from tests.factories import ProcedureFactory

    make_cases(procedure, 2)
    CaseFactory(procedure=procedure, status=CaseStatus.IN_REVIEW, data={"montant_demande": "1"})
    CaseFactory(procedure=ProcedureFactory(team=other_team))  # not the agent's
    batch = start(merge_template, agent, procedure, status=CaseStatus.IN_REVIEW)
    assert len(batch.case_ids) == 1
    assert batch.filters == {"procedure_id": procedure.pk, "status": CaseStatus.IN_REVIEW}


def test_an_empty_or_too_long_list_is_refused(agent, procedure, merge_template, monkeypatch):
    with pytest.raises(ValidationError) as empty:
        start(merge_template, agent, procedure)
    assert empty.value.code == "no_case"
    make_cases(procedure, 3)
    monkeypatch.setattr(merge, "MERGE_MAX_CASES", 2)
    with pytest.raises(ValidationError) as too_many:
        start(merge_template, agent, procedure)
    assert too_many.value.code == "too_many_cases" and "2" in too_many.value.messages[0]
    with pytest.raises(ValidationError) as no_procedure:
        services.merge_start(template=merge_template, format="pdf", agent=agent, filters={})
    assert no_procedure.value.code == "no_procedure"
    assert not MergeBatch.objects.exists()


def test_cli_starts_and_resumes_with_a_progress_bar(agent, procedure, merge_template):
    make_cases(procedure, 4, missing=1)
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "documents", "merge", "--template", str(merge_template.pk), "--procedure",
        str(procedure.pk), "--agent", agent.username, stdout=out, stderr=err,
    )  # fmt: skip
    batch = MergeBatch.objects.get()
    assert batch.status == MergeStatus.DONE and batch.done_count == 3
    assert "3 document(s), 1 failure(s)" in out.getvalue() and "APE-2026-000000" in out.getvalue()
    assert f"Merge #{batch.pk}" in err.getvalue() and "4/4" in err.getvalue()

    out = io.StringIO()
    call_command("documents", "merge", "--resume", str(batch.pk), stdout=out, stderr=io.StringIO())
    assert "already done" in out.getvalue() and GeneratedDocument.objects.count() == 3
    with pytest.raises(CommandError, match="--template"):
        call_command("documents", "merge", "--agent", agent.username)


# --- views ---------------------------------------------------------------------------


def test_case_list_offers_the_merge_with_its_filters(agent_client, procedure):
    response = agent_client.get(
        reverse("cases:list"), {"procedure": procedure.pk, "status": "open"}
    )
    html = response.content.decode()
    assert f"{reverse('documents:merge_new')}?procedure={procedure.pk}&amp;status=open" in html


def test_start_follow_and_download(
    agent_client, procedure, merge_template, django_capture_on_commit_callbacks
):
    make_cases(procedure, 3, missing=1)
    url = reverse("documents:merge_new") + f"?procedure={procedure.pk}"
    page = agent_client.get(url)
    assert page.status_code == 200
    assert "Notification" in page.content.decode() and 'id="merge-count"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(url, {"template": merge_template.pk, "format": "pdf"})
    batch = MergeBatch.objects.get()
    detail = reverse("documents:merge_detail", args=[batch.pk])
    assert response.status_code == 302 and response.url == detail

    html = agent_client.get(detail).content.decode()
    assert "<progress" in html and 'max="3" value="3"' in html
    assert (
        "APE-2026-000000" in html
        and reverse("cases:detail", args=[batch.failures[0]["case_id"]]) in html
    )
    assert reverse("documents:merge_download", args=[batch.pk]) in html
    assert 'hx-trigger="every 2s"' not in html  # finished: no more polling

    download = agent_client.get(reverse("documents:merge_download", args=[batch.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert len(archive.namelist()) == 2


def test_a_running_merge_polls_and_offers_a_plain_refresh(
    agent_client, agent, procedure, merge_template
):
    make_cases(procedure, 2)
    batch = start(merge_template, agent, procedure)
    detail = reverse("documents:merge_detail", args=[batch.pk])
    html = agent_client.get(detail).content.decode()
    assert 'hx-trigger="every 2s"' in html and f'href="{detail}"' in html
    assert 'max="2" value="0"' in html
    partial = agent_client.get(detail, headers={"HX-Request": "true"}).content.decode()
    assert (
        partial.lstrip().startswith('<div id="merge-progress"') or 'id="merge-progress"' in partial
    )
    assert "<html" not in partial
    assert agent_client.get(reverse("documents:merge_download", args=[batch.pk])).status_code == 404


def test_the_merge_page_without_a_procedure_or_cases(agent_client, procedure, merge_template):
    page = agent_client.get(reverse("documents:merge_new"))
    assert page.status_code == 200 and 'name="template"' not in page.content.decode()
    url = reverse("documents:merge_new") + f"?procedure={procedure.pk}"
    assert 'name="template"' not in agent_client.get(url).content.decode()  # no case yet
    response = agent_client.post(url, {"template": merge_template.pk, "format": "pdf"})
    assert response.status_code == 400 and not MergeBatch.objects.exists()


def test_other_teams_get_404(client, agent, other_agent, procedure, merge_template):
    make_cases(procedure, 1)
    batch = start(merge_template, agent, procedure)
    client.force_login(other_agent)
    for name in ("documents:merge_detail", "documents:merge_download"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404


def test_downloading_the_zip_journals_one_export_per_case_in_it(
    agent_client, agent, procedure, merge_template
):
    """Who exported this person's case? The ZIP's download answers it case by case."""
    cases = make_cases(procedure, 4, missing=1)
    batch = services.merge_run(batch_id=start(merge_template, agent, procedure).pk, chunk=10)
    failed = batch.failures[0]["case_id"]

    download = agent_client.get(reverse("documents:merge_download", args=[batch.pk]))
    assert download.status_code == 200

    exports = Event.objects.filter(verb="export", target_type="cases.case")
    assert sorted(int(pk) for pk in exports.values_list("target_id", flat=True)) == sorted(
        case.pk for case in cases if case.pk != failed
    )  # the failed case is not in the ZIP
    assert set(exports.values_list("actor_id", flat=True)) == {str(agent.pk)}
    assert all(event.payload == {"what": f"mail merge ZIP {batch.pk}"} for event in exports)
