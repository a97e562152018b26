"""Admin of the partners' API: clients (the token is shown once), what they sent, what was refused."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from levier.journal.admin_configure import JournaledConfigurationAdmin

from .models import SCOPES, ApiClient, ApiSubmission, RejectedRequest
from .services import api_client_create, api_client_revoke


class ApiClientCreationForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("scopes"),
        choices=list(SCOPES.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ApiClient
        fields = ["name", "description", "scopes"]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if ApiClient.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                _("A client named “%(name)s” already exists.") % {"name": name}
            )
        return name


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the API itself: looked at, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ApiClient)
class ApiClientAdmin(JournaledConfigurationAdmin, admin.ModelAdmin):
    list_display = ["name", "token_prefix", "scope_list", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "description", "token_prefix"]
    readonly_fields = [
        "name", "description", "token_prefix", "scopes", "is_active", "created_at", "last_used_at",
    ]  # fmt: skip
    actions = ["revoke"]

    @admin.display(description=gettext_lazy("scopes"))
    def scope_list(self, client: ApiClient) -> str:
        return ", ".join(client.scopes or [])

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiClientCreationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [] if obj is None else self.readonly_fields

    def get_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return ["name", "description", "scopes"] if obj is None else self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # scopes and state change through the services only (revoke action)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # its submissions and refusals keep pointing at it

    def save_model(self, request: HttpRequest, obj: ApiClient, form, change: bool) -> None:
        client, token = api_client_create(
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            description=form.cleaned_data.get("description", ""),
            actor=request.user,
        )
        # The admin goes on with `obj` (log entry, redirect): make it the saved client.
        for field in ApiClient._meta.concrete_fields:
            setattr(obj, field.attname, getattr(client, field.attname))
        obj._state.adding = False
        messages.warning(
            request,
            _("Token of %(name)s, shown only this once, copy it now: %(token)s")
            % {"name": client.name, "token": token},
        )

    @admin.action(description=gettext_lazy("Revoke the selected clients' tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        revoked = 0
        for client in queryset.filter(is_active=True):
            api_client_revoke(client=client, actor=request.user)
            revoked += 1
        self.message_user(request, _("%(count)d client(s) revoked.") % {"count": revoked})


@admin.register(ApiSubmission)
class ApiSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "client", "external_id", "enquiry_reference", "outcome"]
    list_filter = ["client", "outcome"]
    search_fields = ["external_id", "enquiry_reference"]
    date_hierarchy = "created_at"
    list_select_related = ["client"]


@admin.register(RejectedRequest)
class RejectedRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "last_received_at", "count", "client", "client_address", "method", "path", "status_code",
        "short_reason",
    ]  # fmt: skip
    list_filter = ["status_code", "client", "method"]
    search_fields = ["path", "reason", "payload_excerpt", "client_address", "token_prefix"]
    date_hierarchy = "last_received_at"
    list_select_related = ["client"]
    fields = [
        "received_at", "last_received_at", "count", "client", "client_address", "token_prefix",
        "method", "path", "status_code", "reason", "payload_excerpt",
    ]  # fmt: skip

    @admin.display(description=gettext_lazy("reason"))
    def short_reason(self, rejected: RejectedRequest) -> str:
        return rejected.reason[:120]
