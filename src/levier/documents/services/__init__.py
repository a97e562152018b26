"""Every write on document templates, generated documents, mail merges and email templates.

Each service checks permission, changes the data in one transaction and writes one
journal event. The services live in one module per concern; this package exposes them
all, so `from levier.documents import services` gives the app's writes:

| module | writes |
|---|---|
| `document_templates` | document templates and their versions: save, add a version, publish |
| `generation` | a document generated from a template on a case, a preview |
| `mail_merge` | a mail merge: freeze its cases, generate their documents, build the ZIP |
| `email_templates` | email templates, and the email of a template sent on a case |
"""

from __future__ import annotations

from .document_templates import (
    document_template_add_version,
    document_template_create,
    document_template_publish,
    document_template_save,
    validate_template_source,
)
from .email_templates import email_for_status, email_send_for_case, email_template_save
from .generation import document_generate, document_preview, render_for_case
from .mail_merge import merge_run, merge_start

__all__ = [
    "document_generate",
    "document_preview",
    "document_template_add_version",
    "document_template_create",
    "document_template_publish",
    "document_template_save",
    "email_for_status",
    "email_send_for_case",
    "email_template_save",
    "merge_run",
    "merge_start",
    "render_for_case",
    "validate_template_source",
]
