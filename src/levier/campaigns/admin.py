from django.contrib import admin

from levier.journal.admin_configure import JournaledConfigurationAdmin
from levier.journal.admin_reads import JournaledReadsAdmin

from .models import Campaign, Unsubscription


@admin.register(Campaign)
class CampaignAdmin(JournaledConfigurationAdmin, admin.ModelAdmin):
    list_display = ["name", "procedure", "status", "mandatory", "queued_count", "skipped_count"]
    list_filter = ["status", "mandatory"]
    readonly_fields = [
        "status", "created_by", "targeted_count", "queued_count", "skipped_count",
        "skipped_reasons", "started_at", "finished_at",
    ]  # fmt: skip

    def has_add_permission(self, request) -> bool:  # created through the agents' pages
        return False


@admin.register(Unsubscription)
class UnsubscriptionAdmin(JournaledConfigurationAdmin, JournaledReadsAdmin, admin.ModelAdmin):
    list_display = ["contact", "created_at", "source"]
    raw_id_fields = ["contact"]

    def journaled_subject(self, obj):
        return obj.contact
