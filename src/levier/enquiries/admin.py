"""Admin: topics, routing rules, answer deadlines and answer templates are configured here;
enquiries are only looked at (agents work in levier)."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from levier.contacts.models import Contact
from levier.core import geo
from levier.core.masking import MASKED_KINDS, mask_identifier
from levier.core.text import fold
from levier.journal.admin_configure import JournaledConfigurationAdmin
from levier.journal.admin_reads import JournaledReadsAdmin, RevealInAdmin, revealed_in_session

from . import answers, triage
from .models import (
    AnswerTemplate,
    Channel,
    ContactKindChoice,
    Enquiry,
    Message,
    RoutingRule,
    SlaPolicy,
    Topic,
)


@admin.register(Topic)
class TopicAdmin(JournaledConfigurationAdmin, admin.ModelAdmin):
    list_display = ["label", "slug", "team", "sla_hours", "organisation"]
    list_filter = ["organisation", "team"]
    search_fields = ["label", "slug"]
    prepopulated_fields = {"slug": ["label"]}
    list_select_related = ["team", "organisation"]
    fieldsets = [
        (None, {"fields": ["organisation", "label", "slug"]}),
        (_("Routing"), {"fields": ["team", "sla_hours"]}),
    ]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _masked_texts(message: Message) -> dict[str, str]:
    """NIRs and IBANs the intake found in a message, as written, with their masks."""
    return {
        entity["text"]: mask_identifier(entity.get("value") or entity["text"])
        for entity in message.entities or []
        if entity.get("kind") in MASKED_KINDS and entity.get("text")
    }


def _mask(text: str, masks: dict[str, str]) -> str:
    for found, masked in masks.items():
        text = text.replace(found, masked)
    return text


class MessageInline(ReadOnlyInline):
    """Messages as written, NIRs and IBANs masked until revealed (see EnquiryAdmin)."""

    model = Message
    fields = ["created_at", "direction", "channel", "author_agent", "body", "quoted_text",
              "entities", "attachment_names"]  # fmt: skip
    readonly_fields = fields
    masked = {"body": "masked_body", "quoted_text": "masked_quoted_text",
              "entities": "masked_entities"}  # fmt: skip

    def get_fields(self, request, obj=None):
        if revealed_in_session(request, obj):
            return self.fields
        return [self.masked.get(name, name) for name in self.fields]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("message"))
    def masked_body(self, message: Message) -> str:
        return _mask(message.body, _masked_texts(message))

    @admin.display(description=_("quoted text"))
    def masked_quoted_text(self, message: Message) -> str:
        return _mask(message.quoted_text, _masked_texts(message))

    @admin.display(description=_("entities"))
    def masked_entities(self, message: Message) -> list[dict]:
        masks = _masked_texts(message)
        return [
            {**entity, "text": masks[entity["text"]], "value": masks[entity["text"]]}
            if entity.get("text") in masks
            else entity
            for entity in message.entities or []
        ]

    @admin.display(description=_("attachments"))
    def attachment_names(self, message: Message) -> str:
        return (
            ", ".join(attachment.original_name for attachment in message.attachments.all()) or "—"
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("author_agent")
            .prefetch_related("attachments")
        )


@admin.register(Enquiry)
class EnquiryAdmin(RevealInAdmin, JournaledReadsAdmin, admin.ModelAdmin):
    """Read-only: every change goes through the services (and the journal) from the agent pages.
    Looking is journaled too: the change page as a read, the list as a list read; NIRs and
    IBANs found in the messages are masked until a journaled reveal."""

    list_display = [
        "reference",
        "subject",
        "status",
        "channel",
        "topic",
        "team",
        "assignee",
        "created_at",
        "sla_due_at",
    ]
    list_filter = [
        "status",
        "channel",
        "priority",
        "team",
        "topic",
        "topic_source",
        "priority_source",
        "routing_rule",
        ("assignee", admin.EmptyFieldListFilter),
        "created_at",
    ]
    search_fields = ["reference", "search_text"]
    date_hierarchy = "created_at"
    list_select_related = ["topic", "team", "assignee"]
    show_full_result_count = False  # no COUNT over a big table on each page
    inlines = [MessageInline]
    exclude = ["verification_digest", "search_text"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude]

    def reveal_field_names(self, obj: Enquiry) -> list[str]:
        kinds = {
            entity.get("kind")
            for entities in obj.messages.values_list("entities", flat=True)
            for entity in entities or []
        }
        return sorted(kind for kind in kinds if kind in MASKED_KINDS)

    def get_queryset(self, request):
        enquiries = super().get_queryset(request)
        if request.user.is_superuser:
            return enquiries
        return enquiries.visible_to(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- routing rules ---------------------------------------------------------------------

_CODE_SEPARATORS = r"[,;\s]+"
# Paris, Lyon and Marseille's municipal arrondissements: contacts may carry their codes.
_ARRONDISSEMENTS = frozenset(
    [f"751{n:02d}" for n in range(1, 21)]
    + [f"6938{n}" for n in range(1, 10)]
    + [f"132{n:02d}" for n in range(1, 17)]
)


def _split_codes(value: str) -> list[str]:
    return [
        code.strip().upper() for code in re.split(_CODE_SEPARATORS, value or "") if code.strip()
    ]


def clean_departement_codes(value: str) -> str:
    """'33, 2a,971' -> '33, 2A, 971'; an unknown code is named in the error."""
    codes = []
    for code in _split_codes(value):
        if code.isdigit() and len(code) == 1:
            code = f"0{code}"  # "1" is how people write Ain
        if code not in geo.departements():
            hint = ""
            if code == "20":
                hint = gettext(" Corsica is 2A (Corse-du-Sud) and 2B (Haute-Corse).")
            elif code.isdigit() and len(code) == 5:
                hint = gettext(
                    " This looks like a postal code: put it in “communes” as an INSEE code."
                )
            raise ValidationError(
                gettext(
                    "Unknown département code “%(code)s”. Use codes such as 33, 2A, 971.%(hint)s"
                )
                % {"code": code, "hint": hint},
                code="unknown_departement",
            )
        if code not in codes:
            codes.append(code)
    return ", ".join(codes)


def clean_commune_codes(value: str) -> str:
    """INSEE codes of communes (or arrondissements); a postal code gets its commune named."""
    codes = []
    for code in _split_codes(value):
        if code not in geo.communes() and code not in _ARRONDISSEMENTS:
            served = sorted(
                f"{commune.name} ({commune.code})"
                for commune in geo.communes().values()
                if commune.postal_code == code
            )
            hint = (
                gettext(
                    " %(code)s is a postal code, that of: %(communes)s (INSEE codes in brackets)."
                )
                % {"code": code, "communes": ", ".join(served[:5])}
                if served
                else ""
            )
            raise ValidationError(
                gettext("Unknown INSEE commune code “%(code)s”, e.g. 33063 for Bordeaux.%(hint)s")
                % {"code": code, "hint": hint},
                code="unknown_commune",
            )
        if code not in codes:
            codes.append(code)
    return ", ".join(codes)


def clean_keyword_lines(value: str) -> str:
    """One keyword or expression per line; blank lines dropped, each line must say something."""
    lines = []
    for number, line in enumerate((value or "").splitlines(), start=1):
        line = " ".join(line.split())
        if not line:
            continue
        if not fold(line).strip(" .,;:!?'\"-"):
            raise ValidationError(
                gettext("Line %(line)d “%(text)s” holds no word.") % {"line": number, "text": line},
                code="empty_keyword",
            )
        if "," in line or ";" in line:
            raise ValidationError(
                gettext(
                    "Line %(line)d “%(text)s” holds several keywords: put one keyword or "
                    "expression per line."
                )
                % {"line": number, "text": line},
                code="several_keywords",
            )
        lines.append(line)
    return "\n".join(lines)


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = [
            "name", "position", "is_active", "topic", "channel", "contact_kind", "departements",
            "communes", "keywords", "team", "set_priority",
        ]  # fmt: skip

    def clean_departements(self) -> str:
        return clean_departement_codes(self.cleaned_data.get("departements", ""))

    def clean_communes(self) -> str:
        return clean_commune_codes(self.cleaned_data.get("communes", ""))

    def clean_keywords(self) -> str:
        return clean_keyword_lines(self.cleaned_data.get("keywords", ""))


class RoutingTestForm(forms.Form):
    """A message as intake would see it, to check which rule it would follow."""

    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    body = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.all(), required=False)
    contact_kind = forms.ChoiceField(
        label=_("Contact type"),
        choices=[c for c in ContactKindChoice.choices if c[0]],
    )
    place = forms.CharField(
        label=_("Postal code or INSEE code of the usager"), required=False, max_length=5
    )


def explain_rule(rule: RoutingRule, *, facts: dict) -> str:
    """The first condition of `rule` these facts fail, in words; "" when it matches."""
    # Each condition alone in a rule of its own: the first that fails is the reason.
    alone = {
        _("topic"): RoutingRule(topic_id=rule.topic_id),
        _("channel"): RoutingRule(channel=rule.channel),
        _("contact type"): RoutingRule(contact_kind=rule.contact_kind),
        _("départements"): RoutingRule(departements=rule.departements),
        _("communes"): RoutingRule(communes=rule.communes),
        _("keywords"): RoutingRule(keywords=rule.keywords),
    }
    for label, condition in alone.items():
        if not triage.rule_matches(condition, **facts):
            return gettext("%(condition)s does not match") % {"condition": label}
    return ""


def routing_facts(data: dict) -> dict:
    place = (data.get("place") or "").strip().upper()
    commune = place if place in geo.communes() or place in _ARRONDISSEMENTS else ""
    contact = Contact(
        kind=data["contact_kind"], commune_code=commune, postal_code="" if commune else place
    )
    return {
        "topic": data.get("topic"),
        "channel": data["channel"],
        "contact": contact,
        "departement": triage.contact_departement(contact),
        "folded_text": fold(f"{data.get('subject', '')} {data.get('body', '')}"),
    }


@admin.register(RoutingRule)
class RoutingRuleAdmin(JournaledConfigurationAdmin, admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = ["name", "position", "is_active", "team", "topic", "channel", "departements",
                    "communes", "contact_kind", "set_priority"]  # fmt: skip
    list_display_links = ["name"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "team", "topic", "channel"]
    list_select_related = ["team", "topic"]
    search_fields = ["name", "keywords"]
    fieldsets = [
        (None, {"fields": ["name", "position", "is_active"]}),
        (
            _("Conditions (all must hold; an empty one holds for anything)"),
            {
                "fields": [
                    "topic",
                    "channel",
                    "contact_kind",
                    "departements",
                    "communes",
                    "keywords",
                ]
            },
        ),
        (_("Then"), {"fields": ["team", "set_priority"]}),
    ]
    change_list_template = "enquiries/admin/routingrule_change_list.html"

    def get_urls(self):
        own = [
            path(
                "tester/",
                self.admin_site.admin_view(self.test_view),
                name="enquiries_routingrule_test",
            )
        ]
        return own + super().get_urls()

    def test_view(self, request: HttpRequest) -> HttpResponse:
        """Which rule a message would follow, and why each earlier rule does not apply."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = RoutingTestForm(request.GET or None)
        results, chosen = [], None
        if form.is_bound and form.is_valid():
            facts = routing_facts(form.cleaned_data)
            rules = RoutingRule.objects.filter(is_active=True).select_related("team", "topic")
            for rule in rules.order_by("position", "id"):
                why_not = explain_rule(rule, facts=facts)
                results.append((rule, why_not))
                if not why_not and chosen is None:
                    chosen = rule
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Test the routing rules on a message"),
            "form": form,
            "results": results,
            "chosen": chosen,
            "tested": form.is_bound and form.is_valid(),
        }
        return TemplateResponse(request, "enquiries/admin/routing_test.html", context)


# --- answer deadlines ---------------------------------------------------------------------


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = ["team", "topic", "business_hours", "warning_hours"]

    def clean(self):
        cleaned = super().clean()
        hours, warning = cleaned.get("business_hours"), cleaned.get("warning_hours")
        if hours is not None and hours == 0:
            self.add_error("business_hours", gettext("A deadline of 0 hours cannot be met."))
        if hours and warning is not None and warning >= hours:
            self.add_error(
                "warning_hours",
                gettext("Warn before the deadline: fewer hours than the %(hours)d of the deadline.")
                % {"hours": hours},
            )
        return cleaned


@admin.register(SlaPolicy)
class SlaPolicyAdmin(JournaledConfigurationAdmin, admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = ["team", "topic", "business_hours", "warning_hours"]
    list_filter = ["team", "topic"]
    list_select_related = ["team", "topic"]


# --- answer templates ---------------------------------------------------------------------


def preview_enquiry(template: AnswerTemplate, *, agent) -> Enquiry | None:
    """The latest enquiry of the template's topic (any enquiry for a general template)
    among those the administrator may see."""
    enquiries = Enquiry.objects.select_related("contact", "team__organisation").order_by("-id")
    if not agent.is_superuser:
        enquiries = enquiries.visible_to(agent)
    if template.topic_id:
        enquiries = enquiries.filter(topic_id=template.topic_id)
    return enquiries.first()


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(JournaledConfigurationAdmin, admin.ModelAdmin):
    list_display = ["title", "topic", "is_active", "updated_at"]
    list_editable = ["is_active"]
    list_filter = ["is_active", "topic"]
    list_select_related = ["topic"]
    search_fields = ["title", "body"]
    fields = ["title", "topic", "is_active", "body"]
    change_form_template = "enquiries/admin/answertemplate_change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["merge_fields"] = [
            (f"{{{{ {name} }}}}", description) for name, description in answers.MERGE_FIELDS.items()
        ]
        context["merge_help"] = gettext(
            "Write them as shown; conditions work too, for example: %(example)s"
        ) % {"example": "{% if usager.prenom %}…{% endif %}"}
        if obj is not None and obj.pk:
            context["preview"] = self.preview(obj, agent=request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @staticmethod
    def preview(template: AnswerTemplate, *, agent) -> dict:
        """The saved text rendered for a real enquiry, or the reason it cannot be."""
        try:
            answers.validate_template(template.body)
        except ValidationError as error:
            return {"error": " ".join(error.messages)}
        enquiry = preview_enquiry(template, agent=agent)
        if enquiry is None:
            return {"error": gettext("No enquiry of this topic yet to preview the answer with.")}
        return {
            "enquiry": enquiry,
            "text": answers.render_answer(template, enquiry=enquiry, agent=agent),
        }
