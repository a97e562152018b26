from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from levier.journal.admin_configure import JournaledConfigurationAdmin

from .models import Agent, Notification, Organisation, Team


@admin.register(Organisation)
class OrganisationAdmin(JournaledConfigurationAdmin, admin.ModelAdmin):
    list_display = ["name", "siren", "email"]
    search_fields = ["name", "siren"]


@admin.register(Team)
class TeamAdmin(JournaledConfigurationAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "organisation", "email"]
    list_filter = ["organisation"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Agent)
class AgentAdmin(JournaledConfigurationAdmin, UserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "role", "is_active"]
    list_filter = ["role", "teams", "is_active", "is_staff"]
    filter_horizontal = ["teams", "groups", "user_permissions"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Work in levier"), {"fields": ["organisation", "role", "teams"]}),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        (
            _("Work in levier"),
            {"fields": ["first_name", "last_name", "email", "organisation", "role", "teams"]},
        ),
    ]


@admin.register(Notification)
class NotificationAdmin(JournaledConfigurationAdmin, admin.ModelAdmin):
    list_display = ["agent", "text", "created_at", "read_at"]
    list_filter = ["read_at"]
    readonly_fields = ["agent", "text", "url", "created_at", "read_at"]

    def has_add_permission(self, request):
        return False


admin.site.site_header = _("levier administration")
admin.site.site_title = _("levier")
admin.site.index_title = _("Configuration")
