from django.contrib import admin
from django.db.models import Q

from .admin_configure import JournaledConfigurationAdmin
from .models import Activity, Event, EventSubject


@admin.register(Activity)
class ActivityAdmin(JournaledConfigurationAdmin, admin.ModelAdmin):
    list_display = ["code", "label", "family", "standard_seconds", "automatable"]
    list_filter = ["family", "automatable"]
    search_fields = ["code", "label"]


class EventSubjectInline(admin.TabularInline):
    """The rows a list read showed."""

    model = EventSubject
    fields = ["subject_type", "subject_id"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The journal is read-only for everyone, administrators included."""

    list_display = [
        "occurred_at",
        "actor_kind",
        "actor_label",
        "verb",
        "target_type",
        "target_id",
        "activity_code",
        "automated",
        "duration_seconds",
    ]
    list_filter = ["actor_kind", "verb", "automated", "target_type"]
    # Ids match exactly: a search for target "5" must not return 15, 1985 or 1995.
    search_fields = ["actor_label", "=target_id", "=actor_id", "=verb", "=activity_code"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False  # no COUNT over a journal of millions of rows
    inlines = [EventSubjectInline]

    def get_search_results(self, request, queryset, search_term):
        # A number is an id: "5" finds target or actor 5, not an agent named "Camille5".
        term = (search_term or "").strip()
        if term.isdigit():
            return queryset.filter(Q(target_id=term) | Q(actor_id=term)), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
