"""Admin: mailboxes are configured here; inbound messages are looked at, retried or imported;
outgoing emails are followed and resent."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from levier.journal.admin_configure import JournaledConfigurationAdmin
from levier.journal.admin_reads import JournaledReadsAdmin
from levier.journal.services import record_read

from . import imap, selectors, services
from .forms import EmlUploadForm, MailboxForm
from .models import InboundMail, InboundStatus, Mailbox, OutboundEmail


@admin.register(Mailbox)
class MailboxAdmin(JournaledConfigurationAdmin, admin.ModelAdmin):
    form = MailboxForm
    list_display = [
        "name",
        "host",
        "username",
        "folder",
        "is_active",
        "last_fetched_at",
        "last_error",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "host", "username"]
    readonly_fields = ["last_fetched_at", "last_error"]
    actions = ["test_connection"]
    fieldsets = [
        (None, {"fields": ["name", "is_active"]}),
        (gettext_lazy("Server"), {"fields": ["host", "port", "security", "username", "password"]}),
        (gettext_lazy("Folders"), {"fields": ["folder", "processed_folder"]}),
        (gettext_lazy("Last fetch"), {"fields": ["last_fetched_at", "last_error"]}),
    ]

    @admin.action(description=gettext_lazy("Test the connection"))
    def test_connection(self, request: HttpRequest, queryset) -> None:
        for mailbox in queryset:
            error = imap.check_connection(mailbox)
            if error:
                self.message_user(request, f"{mailbox}: {error}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(mailbox)s: connection and login work, folder “%(folder)s” opened.")
                    % {"mailbox": mailbox, "folder": mailbox.folder},
                    messages.SUCCESS,
                )


@admin.register(InboundMail)
class InboundMailAdmin(JournaledConfigurationAdmin, JournaledReadsAdmin, admin.ModelAdmin):
    """Read-only: messages change only through the services (and the journal)."""

    list_display = [
        "received_at",
        "mailbox",
        "from_address",
        "subject",
        "status",
        "result_reference",
        "size_display",
    ]
    list_filter = ["status", "mailbox"]
    search_fields = ["from_address", "subject", "message_id"]
    list_select_related = ["mailbox"]
    date_hierarchy = "received_at"
    actions = ["reprocess"]
    fields = [
        "received_at",
        "mailbox",
        "from_address",
        "subject",
        "message_id",
        "status",
        "reason",
        "result_reference",
        "processed_at",
        "attempts",
        "size_display",
        "eml_link",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        # The raw bytes are only read for a download, not for every row listed.
        return super().get_queryset(request).defer("raw")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_reprocess_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("mailing.change_inboundmail")

    @admin.display(description=gettext_lazy("size"), ordering="size")
    def size_display(self, inbound: InboundMail) -> str:
        return filesizeformat(inbound.size)

    @admin.display(description=gettext_lazy("original message"))
    def eml_link(self, inbound: InboundMail) -> str:
        if inbound.raw is None:
            return _("Not downloaded: too large, left on the mail server.")
        url = reverse("admin:mailing_inboundmail_eml", args=[inbound.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download the .eml file"))

    @admin.action(description=gettext_lazy("Process again"), permissions=["reprocess"])
    def reprocess(self, request: HttpRequest, queryset) -> None:
        for inbound in queryset:
            try:
                inbound = services.reprocess(inbound=inbound, actor=request.user)
            except services.CannotReprocess as refusal:
                self.message_user(request, str(refusal), messages.WARNING)
                continue
            level = (
                messages.SUCCESS if inbound.status == InboundStatus.PROCESSED else messages.WARNING
            )
            self.message_user(
                request,
                _("Message %(id)s: %(status)s. %(detail)s")
                % {
                    "id": inbound.pk,
                    "status": inbound.get_status_display(),
                    "detail": inbound.result_reference or inbound.reason,
                },
                level,
            )

    def get_urls(self):
        own = [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="mailing_inboundmail_upload",
            ),
            path(
                "<int:pk>/eml/",
                self.admin_site.admin_view(self.eml_view),
                name="mailing_inboundmail_eml",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_eml": self.has_reprocess_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def eml_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        inbound = get_object_or_404(InboundMail, pk=pk)
        if inbound.raw is None:
            raise Http404(_("This message was not downloaded: it is still on the mail server."))
        record_read(agent=request.user, target=inbound, what="eml")
        response = HttpResponse(bytes(inbound.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="message-{inbound.pk}.eml"'
        return response

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_reprocess_permission(request):
            raise Http404
        form = EmlUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            for uploaded in form.cleaned_data["files"]:
                self._import(request, uploaded)
            return HttpResponseRedirect(reverse("admin:mailing_inboundmail_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import .eml files"),
            "form": form,
        }
        return TemplateResponse(request, "admin/mailing/inboundmail/upload.html", context)

    def _import(self, request: HttpRequest, uploaded) -> None:
        raw = uploaded.read()
        earlier = selectors.find_imported(raw)
        if earlier is not None:
            self.message_user(
                request,
                _("“%(name)s” was already imported (message %(id)s, %(status)s).")
                % {"name": uploaded.name, "id": earlier.pk, "status": earlier.get_status_display()},
                messages.WARNING,
            )
            return
        inbound = services.store_and_process(raw=raw)
        level = messages.SUCCESS if inbound.status == InboundStatus.PROCESSED else messages.WARNING
        self.message_user(
            request,
            _("“%(name)s”: %(status)s. %(detail)s")
            % {
                "name": uploaded.name,
                "status": inbound.get_status_display(),
                "detail": inbound.result_reference or inbound.reason,
            },
            level,
        )


@admin.register(OutboundEmail)
class OutboundEmailAdmin(JournaledConfigurationAdmin, JournaledReadsAdmin, admin.ModelAdmin):
    """Read-only: the outbox changes only through the services; an email is resent as a new one."""

    list_display = [
        "created_at",
        "to",
        "subject",
        "status",
        "attempts",
        "sent_at",
        "next_attempt_at",
    ]
    list_filter = ["status"]
    search_fields = ["to", "subject", "message_id", "about_id"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    fields = [
        "created_at",
        "to",
        "reply_to",
        "subject",
        "message_id",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "contact",
        "about_type",
        "about_id",
        "resent_from",
        "body_text",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("mailing.add_outboundemail")

    @admin.action(description=gettext_lazy("Send again"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset) -> None:
        for email in queryset:
            try:
                copy = services.email_resend(email=email, actor=request.user)
            except ValidationError as refusal:
                self.message_user(request, " ".join(refusal.messages), messages.WARNING)
                continue
            self.message_user(
                request,
                _("Email to %(to)s queued again (#%(id)s).") % {"to": copy.to, "id": copy.pk},
                messages.SUCCESS,
            )

    def journaled_subject(self, obj):
        return obj.contact or obj
