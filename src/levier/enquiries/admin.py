"""Admin: topics are configured here; enquiries are only looked at (agents work in levier)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Enquiry, Message, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
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


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "direction", "author_agent", "body", "attachment_names"]
    readonly_fields = fields

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
class EnquiryAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the services (and the journal) from the agent pages."""

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
