"""Every write on document templates and generated documents.

Each service checks permission, changes the data in one transaction and writes one
journal event. Rendering happens before the transaction (it is slow and writes
nothing); a document whose merge data is incomplete is never produced.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from jinja2 import TemplateError
from jinja2.sandbox import SecurityError

from levier.cases.models import Case, Procedure
from levier.core import policy
from levier.core.models import Agent
from levier.journal.services import Actor, record, record_read

from . import merge, seal
from .context import merge_context
from .models import (
    DocumentTemplate,
    DocumentTemplateVersion,
    GeneratedDocument,
    MergeBatch,
    MergeStatus,
    OutputFormat,
    TemplateKind,
)
from .render import MissingMergeValue, RenderedFile, RenderError, render_version
from .validation import check_docx, check_html


def _check_may_configure(actor: Any) -> None:
    policy.check_may(actor, policy.Action.CONFIGURE_TEMPLATES)


def _check_may_see(actor: Any, case: Case) -> None:
    """Same rule as the case pages: a draft, or a case outside the agent's teams, does not
    exist (levier.core.policy)."""
    policy.check_may_see(actor, case, what="case")


# ---------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------


def document_template_save(*, template: DocumentTemplate, actor: Any) -> DocumentTemplate:
    """Create or update a template's description (name, kind, procedure, active)."""
    _check_may_configure(actor)
    created = template.pk is None
    if not created:
        previous = DocumentTemplate.objects.filter(pk=template.pk).values_list("kind", flat=True)
        if previous and previous[0] != template.kind and template.versions.exists():
            raise ValidationError(
                _("The kind of a template with versions cannot change: create a new template."),
                code="kind_locked",
            )
    with transaction.atomic():
        template.save()
        record(
            actor=actor,
            verb="create-template" if created else "update-template",
            target=template,
            activity="configure-procedure",
            payload={"name": template.name, "kind": template.kind, "active": template.is_active},
        )
    return template


def document_template_create(
    *, name: str, kind: str, actor: Any, procedure: Procedure | None = None, is_active: bool = True
) -> DocumentTemplate:
    template = DocumentTemplate(name=name, kind=kind, procedure=procedure, is_active=is_active)
    return document_template_save(template=template, actor=actor)


def validate_template_source(
    *, template: DocumentTemplate, upload: Any = None, body: str | None = None
) -> tuple[bytes | None, list[str]]:
    """Check a new version's source; return (DOCX bytes or None, merge fields used)."""
    if template.kind == TemplateKind.DOCX:
        if upload is None:
            raise ValidationError(_("Choose the DOCX file of the new version."), code="required")
        upload.seek(0)
        content = upload.read()
        return content, check_docx(content, template.procedure, name=getattr(upload, "name", ""))
    if not (body or "").strip():
        raise ValidationError(_("Write the HTML body of the new version."), code="required")
    return None, check_html(body or "", template.procedure)


def document_template_add_version(
    *, template: DocumentTemplate, actor: Any, upload: Any = None, body: str | None = None
) -> DocumentTemplateVersion:
    """Validate and store a new, unpublished version (versions are never changed after)."""
    _check_may_configure(actor)
    content, fields = validate_template_source(template=template, upload=upload, body=body)
    with transaction.atomic():
        DocumentTemplate.objects.select_for_update().filter(pk=template.pk).first()
        last = template.versions.order_by("-number").values_list("number", flat=True).first()
        version = DocumentTemplateVersion(
            template=template,
            number=(last or 0) + 1,
            body=(body or "") if template.kind == TemplateKind.HTML else "",
            fields=fields,
            created_by=actor if isinstance(actor, Agent) else None,
        )
        if content is not None:
            file_name = f"{slugify(template.name) or 'modele'}.docx"
            version.file.save(file_name, ContentFile(content), save=False)
        version.save()
        record(
            actor=actor,
            verb="add-template-version",
            target=template,
            activity="configure-procedure",
            payload={"version": version.number, "fields": fields},
        )
    return version


def document_template_publish(
    *, version: DocumentTemplateVersion, actor: Any
) -> DocumentTemplateVersion:
    """Make `version` the one generation uses (the previous one stays, unpublished)."""
    _check_may_configure(actor)
    with transaction.atomic():
        DocumentTemplate.objects.select_for_update().filter(pk=version.template_id).first()
        DocumentTemplateVersion.objects.filter(
            template_id=version.template_id, is_published=True
        ).exclude(pk=version.pk).update(is_published=False)
        DocumentTemplateVersion.objects.filter(pk=version.pk).update(is_published=True)
        version.is_published = True
        record(
            actor=actor,
            verb="publish-template-version",
            target=version.template,
            activity="configure-procedure",
            payload={"version": version.number},
        )
    return version


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------


def _check_usable(
    template: DocumentTemplate, case: Case, version: DocumentTemplateVersion | None = None
) -> DocumentTemplateVersion:
    if version is None or version.template_id != template.pk:
        version = template.published_version
    if (
        not template.is_active
        or version is None
        or template.procedure_id not in (None, case.procedure_id)
    ):
        raise ValidationError(
            _("The template “%(template)s” cannot be used on case %(reference)s."),
            code="unusable_template",
            params={"template": template.name, "reference": case.reference},
        )
    return version


def render_for_case(
    *, version: DocumentTemplateVersion, case: Case, agent: Any = None, output: str
) -> RenderedFile:
    """Render `version` on `case`; ValidationError naming what is missing or wrong."""
    if output not in OutputFormat.values:
        raise ValidationError(_("Unknown format “%(format)s”."), params={"format": output})
    try:
        return render_version(version, merge_context(case, agent=agent), output=output)
    except MissingMergeValue as error:
        raise ValidationError(
            _(
                "Case %(reference)s has no value for “%(field)s”: complete it or remove "
                "this field from the template."
            ),
            code="missing_merge_value",
            params={"reference": case.reference, "field": error.name},
        ) from error
    except RenderError as error:
        raise ValidationError(str(error), code="render") from error
    except (SecurityError, TemplateError) as error:
        raise ValidationError(
            _("The template “%(template)s” could not be filled: %(error)s"),
            code="template_error",
            params={"template": version.template.name, "error": str(error)},
        ) from error


def _seal_if_enabled(rendered: RenderedFile) -> tuple[bytes, bool]:
    """The PDF sealed when sealing is configured (a DOCX is never sealed); (bytes, sealed)."""
    if rendered.extension != OutputFormat.PDF or not seal.sealing_enabled():
        return rendered.content, False
    try:
        return seal.seal_pdf(rendered.content), True
    except seal.AlreadySealed:  # a template cannot carry our seal, but never seal twice
        return rendered.content, True


def document_generate(
    *,
    case: Case,
    template: DocumentTemplate,
    actor: Any,
    format: str = OutputFormat.PDF,
    version: DocumentTemplateVersion | None = None,
) -> GeneratedDocument:
    """Fill the template's published version with the case's data and keep the result.

    `actor` is an Agent, or a journal Actor (robot) for automation. `version` pins a
    version of `template` (a mail merge keeps the one it started with); the published
    one otherwise. When sealing is configured, a PDF is sealed before it is stored.
    """
    _check_may_see(actor, case)
    version = _check_usable(template, case, version)
    agent = actor if isinstance(actor, Agent) else None
    rendered = render_for_case(version=version, case=case, agent=agent, output=format)
    content, sealed = _seal_if_enabled(rendered)
    digest = hashlib.sha256(content).hexdigest()
    file_name = f"{slugify(template.name) or 'document'}-{case.reference}.{rendered.extension}"
    with transaction.atomic():
        document = GeneratedDocument(
            case=case,
            template_version=version,
            format=rendered.extension,
            file_name=file_name,
            sha256=digest,
            size=len(content),
            created_by=agent,
        )
        document.file.save(file_name, ContentFile(content), save=False)
        document.save()
        record(
            actor=actor,
            verb="generate-document",
            target=case,
            activity="generate-document",
            payload={
                "document": document.pk,
                "template": template.pk,
                "template_name": template.name,
                "version": version.number,
                "format": document.format,
                "sha256": digest,
                "sealed": sealed,
            },
        )
    return document


def document_preview(
    *, version: DocumentTemplateVersion, case: Case, actor: Any, format: str = OutputFormat.PDF
) -> RenderedFile:
    """Render a (possibly unpublished) version on a case for its author; stores nothing."""
    _check_may_configure(actor)
    _check_may_see(actor, case)
    rendered = render_for_case(
        version=version, case=case, agent=actor if isinstance(actor, Agent) else None, output=format
    )
    if isinstance(actor, Agent):
        record_read(agent=actor, target=case, what=f"template preview {version.pk}")
    return rendered


# ---------------------------------------------------------------------------
# Mail merge
# ---------------------------------------------------------------------------


def merge_start(
    *,
    template: DocumentTemplate,
    format: str,
    agent: Agent,
    filters: dict[str, Any],
    enqueue: bool = True,
) -> MergeBatch:
    """Freeze the cases the agent sees with the case list's `filters` and queue the merge.

    `filters` are `cases.selectors.case_list_for` keyword arguments and must name a
    procedure. ValidationError when the template cannot be used, or when no case or more
    than MERGE_MAX_CASES match. `enqueue=False` leaves the run to the caller (the CLI).
    """
    from .tasks import run_merge

    if format not in OutputFormat.values:
        raise ValidationError(_("Unknown format “%(format)s”."), params={"format": format})
    stored = merge.filters_to_json(filters)
    procedure_id = stored.get("procedure_id")
    if not procedure_id:
        raise ValidationError(
            _("Filter the cases on one procedure first: a mail merge uses one template."),
            code="no_procedure",
        )
    version = template.published_version
    usable = template.procedure_id in (None, procedure_id)
    if not template.is_active or version is None or not usable:
        raise ValidationError(
            _("The template “%(template)s” cannot be used on the cases of this procedure."),
            code="unusable_template",
            params={"template": template.name},
        )
    if template.kind == TemplateKind.HTML and format != OutputFormat.PDF:
        raise ValidationError(_("An HTML template gives a PDF only: choose the PDF format."))
    case_ids = merge.freeze_case_ids(agent, stored)
    with transaction.atomic():
        batch = MergeBatch.objects.create(
            template_version=version,
            format=format,
            filters=stored,
            case_ids=case_ids,
            created_by=agent,
        )
        record(
            actor=agent,
            verb="start-merge",
            target=batch,
            payload={
                "template": template.pk,
                "template_name": template.name,
                "version": version.number,
                "format": format,
                "cases": len(case_ids),
                "filters": stored,
            },
        )
        if enqueue:
            transaction.on_commit(lambda: run_merge.enqueue(batch_id=batch.pk))
    return batch


def merge_run(
    *,
    batch_id: int,
    chunk: int = merge.DEFAULT_CHUNK,
    on_progress: Callable[[int], None] | None = None,
) -> MergeBatch:
    """Generate the merge's documents from where it stopped, then build its ZIP.

    Resumable and retry-safe: progress is saved after every `chunk` cases, and a case
    that already has this merge's document (generated after a crash, before the
    progress was saved) is skipped, never generated twice. A case that cannot be merged
    (missing data, mostly) is listed in `failures` with the reason; the merge goes on.
    `on_progress(n)` is called with the number of cases handled after every chunk.
    """
    batch = MergeBatch.objects.select_related("template_version__template", "created_by").get(
        pk=batch_id
    )
    if batch.status in {MergeStatus.DONE, MergeStatus.CANCELLED}:
        return batch
    if batch.status != MergeStatus.RUNNING:
        MergeBatch.objects.filter(pk=batch.pk).update(status=MergeStatus.RUNNING)
        batch.status = MergeStatus.RUNNING
    actor: Any = batch.created_by or Actor.robot("mail-merge")
    template = batch.template_version.template
    start = merge.position(batch)
    while start < len(batch.case_ids):
        ids = batch.case_ids[start : start + chunk]
        done, failures = _merge_chunk(batch, template, actor, ids)
        with transaction.atomic():
            locked = MergeBatch.objects.select_for_update().get(pk=batch.pk)
            if merge.position(locked) != start:  # another run saved this chunk meanwhile
                batch.done_count, batch.failures = locked.done_count, locked.failures
            else:
                locked.done_count += done
                locked.failures = [*locked.failures, *failures]
                locked.save(update_fields=["done_count", "failures"])
                batch.done_count, batch.failures = locked.done_count, locked.failures
        if on_progress is not None:
            on_progress(merge.position(batch) - start)
        start = merge.position(batch)
    return _merge_finish(batch, actor)


def _merge_chunk(
    batch: MergeBatch, template: DocumentTemplate, actor: Any, ids: list[int]
) -> tuple[int, list[dict[str, Any]]]:
    """Generate the documents of a few cases; (how many are done, failures)."""
    skip = merge.already_generated(batch, ids)
    cases = Case.objects.select_related("procedure", "procedure_version", "contact", "team")
    found = cases.in_bulk([case_id for case_id in ids if case_id not in skip])
    done, failures = 0, []
    for case_id in ids:
        if case_id in skip:
            done += 1
            continue
        case = found.get(case_id)
        if case is None:
            failures.append(merge.failure_entry(None, case_id, _("The case no longer exists.")))
            continue
        try:
            document_generate(
                case=case,
                template=template,
                actor=actor,
                format=batch.format,
                version=batch.template_version,
            )
        except ValidationError as error:
            failures.append(merge.failure_entry(case, case_id, " ".join(error.messages)))
        except policy.NotFound:
            # Named by its id only: the agent may not see its reference (a draft, another team).
            reason = _("The agent who started the merge no longer sees this case.")
            failures.append(merge.failure_entry(None, case_id, reason))
        else:
            done += 1
    return done, failures


def _merge_finish(batch: MergeBatch, actor: Any) -> MergeBatch:
    """Build the ZIP of the merge's documents (streamed to storage) and close the merge."""
    with tempfile.TemporaryFile(suffix=".zip") as spool:
        files = merge.write_zip(batch, spool)
        spool.seek(0)
        with transaction.atomic():
            batch.zip_file.save(f"publipostage-{batch.pk}.zip", File(spool), save=False)
            batch.status = MergeStatus.DONE
            batch.finished_at = timezone.now()
            batch.save(update_fields=["zip_file", "status", "finished_at"])
            record(
                actor=actor,
                verb="finish-merge",
                target=batch,
                automated=True,
                payload={
                    "done": batch.done_count,
                    "failures": len(batch.failures),
                    "files": files,
                },
            )
    return batch


# ---------------------------------------------------------------------------
# Emails from templates
# ---------------------------------------------------------------------------


def email_template_save(*, template: Any, actor: Any) -> Any:
    """Create or update an email template, checked (syntax, merge fields) before saving."""
    from .emails import validate_email_template

    _check_may_configure(actor)
    fields = validate_email_template(
        subject=template.subject,
        body_text=template.body_text,
        body_html=template.body_html,
        procedure=template.procedure,
    )
    created = template.pk is None
    with transaction.atomic():
        template.save()
        record(
            actor=actor,
            verb="create-email-template" if created else "update-email-template",
            target=template,
            activity="configure-procedure",
            payload={
                "name": template.name,
                "status": template.status,
                "active": template.is_active,
                "fields": fields,
            },
        )
    return template


def email_for_status(*, case: Case, status: str | None = None) -> Any:
    """The active email template sent when `case` reaches `status` (by default its own):
    the one of the case's procedure, else one for every procedure; None when there is none."""
    from django.db.models import F, Q

    from .models import EmailTemplate

    status = status or case.status
    return (
        EmailTemplate.objects.filter(is_active=True, status=status)
        .filter(Q(procedure__isnull=True) | Q(procedure_id=case.procedure_id))
        .select_related("attach_template")
        .order_by(F("procedure_id").asc(nulls_last=True), "id")
        .first()
    )


def _attachment_format(template: DocumentTemplate) -> str:
    from .render import soffice_path

    if template.kind == TemplateKind.DOCX and soffice_path() is None:
        return OutputFormat.DOCX
    return OutputFormat.PDF


def email_send_for_case(*, case: Case, template: Any, actor: Any, dedupe_key: str = "") -> Any:
    """Fill an email template with the case's data and put it in the outbox for the usager.

    The document of `template.attach_template`, when set, is generated (and kept on the
    case) and attached. Missing merge data, an unusable template or a usager without an
    email address are refused with a ValidationError saying which and how to fix it.
    `actor` is an Agent, or a journal Actor (robot) for the status emails. With a
    `dedupe_key` (automations), the email already queued under it is returned as it is:
    nothing is generated, queued or journaled twice.
    """
    from levier.mailing.models import OutboundEmail
    from levier.mailing.services import email_queue

    if dedupe_key and (done := OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()):
        return done

    from .emails import render_email

    _check_may_see(actor, case)
    if not template.is_active or template.procedure_id not in (None, case.procedure_id):
        raise ValidationError(
            _("The email “%(template)s” cannot be sent on case %(reference)s."),
            code="unusable_template",
            params={"template": template.name, "reference": case.reference},
        )
    contact = case.contact
    if not (contact.email or "").strip():
        raise ValidationError(
            _(
                "The usager of case %(reference)s has no email address: add one to their "
                "record, or write to them by post."
            ),
            code="no_email",
            params={"reference": case.reference},
        )
    agent = actor if isinstance(actor, Agent) else None
    try:
        rendered = render_email(template, case=case, agent=agent)
    except MissingMergeValue as error:
        raise ValidationError(
            _(
                "Case %(reference)s has no value for “%(field)s”: complete it or remove "
                "this field from the email “%(template)s”."
            ),
            code="missing_merge_value",
            params={"reference": case.reference, "field": error.name, "template": template.name},
        ) from error
    except (SecurityError, TemplateError) as error:
        raise ValidationError(
            _("The email “%(template)s” could not be filled: %(error)s"),
            code="template_error",
            params={"template": template.name, "error": str(error)},
        ) from error
    attachments = []
    document = None
    if template.attach_template_id:
        attached = template.attach_template
        document = document_generate(
            case=case, template=attached, actor=actor, format=_attachment_format(attached)
        )
        with document.file.open("rb") as handle:
            attachments.append((document.file_name, handle.read(), document.content_type))
    with transaction.atomic():
        email = email_queue(
            to=contact.email,
            subject=rendered.subject,
            body=rendered.text,
            html=rendered.html,
            contact=contact,
            about=case,
            attachments=attachments,
            dedupe_key=dedupe_key,
        )
        # No activity: the outbox counts the email ("send-email") when it is sent.
        record(
            actor=actor,
            verb="queue-email",
            target=case,
            payload={
                "email": email.pk,
                "template": template.pk,
                "template_name": template.name,
                "document": document.pk if document else None,
            },
        )
    return email
