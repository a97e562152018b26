"""Administration of persons and companies: identifiers checked, duplicates shown,
merges and edits through the services so that each one is journaled."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from levier.core.masking import MASKED_CONTACT_FIELDS, masked_display
from levier.journal.admin_configure import JournaledConfigurationAdmin
from levier.journal.admin_reads import JournaledReadsAdmin, RevealInAdmin

from .duplicates import probable_duplicates
from .identifiers import IdentifierField, compact, company_siren
from .models import Company, Contact, ContactKind, Person
from .services import EDITABLE_FIELDS, contact_create, contact_merge, contact_update


class PersonForm(forms.ModelForm):
    nir = IdentifierField(kind="nir", required=False, label=_("social security number (NIR)"))
    phone = IdentifierField(kind="phone", required=False, label=_("phone"))
    iban = IdentifierField(kind="iban", required=False, label=_("IBAN"))

    class Meta:
        model = Person
        fields = [
            "first_name", "last_name", "birth_date", "nir", "email", "phone", "iban",
            "address", "postal_code", "city", "commune_code",
        ]  # fmt: skip


class CompanyForm(forms.ModelForm):
    siren = IdentifierField(kind="siren", required=False, label=_("SIREN"))
    siret = IdentifierField(kind="siret", required=False, label=_("SIRET"))
    vat_number = IdentifierField(kind="vat", required=False, label=_("VAT number"))
    phone = IdentifierField(kind="phone", required=False, label=_("phone"))
    iban = IdentifierField(kind="iban", required=False, label=_("IBAN"))

    class Meta:
        model = Company
        fields = [
            "legal_name", "siren", "siret", "vat_number", "naf_code", "email", "phone",
            "iban", "address", "postal_code", "city", "commune_code",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            data["siren"] = company_siren(
                siren=data.get("siren") or "",
                siret=data.get("siret") or "",
                vat_number=data.get("vat_number") or "",
            )
        except ValidationError as error:
            self.add_error(None, error)
        return data


class MergedFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "merged"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("no", _("active")), ("yes", _("merged into another contact"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Contact]) -> QuerySet[Contact]:
        if self.value() == "no":
            return queryset.filter(merged_into__isnull=True)
        if self.value() == "yes":
            return queryset.filter(merged_into__isnull=False)
        return queryset


class ContactAdmin(RevealInAdmin, JournaledReadsAdmin, admin.ModelAdmin):
    """NIR and IBAN are masked and read-only until revealed: the reveal is journaled, and for
    ten minutes this agent's page shows them in full and editable (edits go through the
    services and are journaled). Every change page and list page is a journaled read."""

    kind: str
    list_filter = [MergedFilter, "created_at"]
    list_select_related = ["merged_into"]
    readonly_fields = ["probable_duplicates_display", "merged_into", "created_at"]
    actions = ["merge_into_oldest"]
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Contact | None = None) -> Any:
        if obj is not None and obj.merged_into_id:
            fields = [*self.form.Meta.fields, *self.readonly_fields]
        else:
            fields = list(self.readonly_fields)
        if not self.is_revealed(request, obj):
            # Out of the form (so never sent to the browser), shown masked instead.
            fields += [*MASKED_CONTACT_FIELDS, "masked_nir", "masked_iban"]
        return fields

    def get_fieldsets(self, request: HttpRequest, obj: Contact | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if self.is_revealed(request, obj):
            return fieldsets
        masked = {"nir": "masked_nir", "iban": "masked_iban"}
        return [
            (title, {**options, "fields": [masked.get(name, name) for name in options["fields"]]})
            for title, options in fieldsets
        ]

    def reveal_field_names(self, obj: Contact) -> list[str]:
        return [name for name in MASKED_CONTACT_FIELDS if getattr(obj, name)]

    @admin.display(description=_("social security number (NIR)"))
    def masked_nir(self, obj: Contact) -> str:
        return masked_display(obj.nir, revealed=False)

    @admin.display(description=_("IBAN"))
    def masked_iban(self, obj: Contact) -> str:
        return masked_display(obj.iban, revealed=False)

    def has_delete_permission(self, request: HttpRequest, obj: Contact | None = None) -> bool:
        return False  # cases and the journal point to contacts: merge instead

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Contact], search_term: str
    ) -> tuple[QuerySet[Contact], bool]:
        # '732 829 320' finds the SIREN stored as '732829320'.
        if re.fullmatch(r"[\d\s.]+", search_term or ""):
            search_term = compact(search_term)
        return super().get_search_results(request, queryset, search_term)

    @admin.display(boolean=True, description=_("active"))
    def is_active(self, obj: Contact) -> bool:
        return obj.merged_into_id is None

    @admin.display(description=_("probable duplicates"))
    def probable_duplicates_display(self, obj: Contact) -> str | SafeString:
        if obj.pk is None or obj.merged_into_id:
            return "—"
        found = probable_duplicates(obj)
        if not found:
            return _("none found")
        url_name = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a> ({})</li>',
            (
                (reverse(url_name, args=[other.pk]), other.display_name, ", ".join(reasons))
                for other, reasons in found
            ),
        )
        return format_html("<ul>{}</ul>", rows)

    def save_model(
        self, request: HttpRequest, obj: Contact, form: forms.ModelForm, change: bool
    ) -> None:
        fields = form.changed_data if change else form.cleaned_data
        data = {name: form.cleaned_data[name] for name in fields if name in EDITABLE_FIELDS}
        if change:
            if data:
                contact_update(
                    contact=Contact.objects.get(pk=obj.pk), data=data, actor=request.user
                )
            return
        created = contact_create(kind=self.kind, data=data, actor=request.user)
        obj.pk, obj.created_at, obj.siren = created.pk, created.created_at, created.siren
        obj._state.adding = False

    @admin.action(description=_("Merge the selected contacts into the oldest one"))
    def merge_into_oldest(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        target = queryset.filter(merged_into__isnull=True).order_by("id").first()
        sources = list(queryset.exclude(pk=getattr(target, "pk", None)).order_by("id"))
        if target is None or not sources:
            self.message_user(
                request, _("Select at least two contacts to merge."), messages.WARNING
            )
            return
        merged = 0
        for source in sources:
            try:
                contact_merge(source=source, target=target, actor=request.user)
                merged += 1
            except ValidationError as error:
                self.message_user(
                    request, f"{source.display_name}: {' '.join(error.messages)}", messages.ERROR
                )
        if merged:
            message = ngettext(
                "%(count)d contact merged into %(target)s.",
                "%(count)d contacts merged into %(target)s.",
                merged,
            ) % {"count": merged, "target": target.display_name}
            self.message_user(request, message, messages.SUCCESS)


@admin.register(Person)
class PersonAdmin(JournaledConfigurationAdmin, ContactAdmin):
    kind = ContactKind.PERSON
    form = PersonForm
    list_display = ["__str__", "email", "birth_date", "city", "is_active", "created_at"]
    search_fields = ["last_name", "first_name", "=email", "=nir", "=phone"]
    fieldsets = [
        (_("Identity"), {"fields": ["first_name", "last_name", "birth_date", "nir"]}),
        (_("Contact details"), {"fields": ["email", "phone", "iban"]}),
        (_("Address"), {"fields": ["address", "postal_code", "city", "commune_code"]}),
        (_("Duplicates"), {"fields": ["probable_duplicates_display", "merged_into", "created_at"]}),
    ]


@admin.register(Company)
class CompanyAdmin(JournaledConfigurationAdmin, ContactAdmin):
    kind = ContactKind.COMPANY
    form = CompanyForm
    list_display = ["legal_name", "siret", "siren", "email", "city", "is_active", "created_at"]
    search_fields = ["legal_name", "=siren", "=siret", "=email", "=vat_number"]
    fieldsets = [
        (_("Company"), {"fields": ["legal_name", "siren", "siret", "vat_number", "naf_code"]}),
        (_("Contact details"), {"fields": ["email", "phone", "iban"]}),
        (_("Address"), {"fields": ["address", "postal_code", "city", "commune_code"]}),
        (_("Duplicates"), {"fields": ["probable_duplicates_display", "merged_into", "created_at"]}),
    ]
