"""Administrators' edits are journaled as `configure` events (names of the fields changed,
never their values), and no admin can write without it."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from levier.journal.admin_configure import JournaledConfigurationAdmin
from levier.journal.models import Activity, Event

from ..factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(db):
    return AgentFactory(username="administratrice", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def configure_events(obj=None):
    events = Event.objects.filter(verb="configure")
    if obj is not None:
        events = events.for_target(obj._meta.label_lower, obj.pk)
    return list(events.order_by("id"))


def activity_form(activity, **changes):
    data = {
        "code": activity.code, "label": activity.label, "description": activity.description,
        "family": activity.family, "standard_seconds": activity.standard_seconds,
        "automatable": "on" if activity.automatable else "",
    }  # fmt: skip
    return {**data, **changes}


def test_a_standard_time_changed_in_the_admin_is_journaled_with_the_field_name_only(
    admin_client, administrator
):
    activity = Activity.objects.create(
        code="test-geste", label="Geste de test", standard_seconds=60
    )
    url = reverse("admin:journal_activity_change", args=[activity.pk])
    response = admin_client.post(url, activity_form(activity, standard_seconds=95))
    assert response.status_code == 302
    (event,) = configure_events(activity)
    assert event.actor_id == str(administrator.pk)
    assert event.payload == {"what": "change", "fields": ["standard_seconds"], "where": "admin"}
    assert "95" not in str(event.payload)
    # Saved without a change: nothing to journal.
    activity.refresh_from_db()
    admin_client.post(url, activity_form(activity))
    assert len(configure_events(activity)) == 1


def test_adding_and_deleting_in_the_admin_are_journaled(admin_client):
    response = admin_client.post(
        reverse("admin:journal_activity_add"),
        {"code": "nouveau-geste", "label": "Nouveau geste", "standard_seconds": 30, "family": ""},
    )
    assert response.status_code == 302
    activity = Activity.objects.get(code="nouveau-geste")
    assert configure_events(activity)[0].payload["what"] == "add"
    admin_client.post(reverse("admin:journal_activity_delete", args=[activity.pk]), {"post": "yes"})
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert [e.payload["what"] for e in configure_events(activity)] == ["add", "delete"]


def test_a_bulk_delete_journals_each_object(admin_client):
    activities = [Activity.objects.create(code=f"geste-{n}", label=f"Geste {n}") for n in range(3)]
    admin_client.post(
        reverse("admin:journal_activity_changelist"),
        {"action": "delete_selected", "post": "yes",
         admin.helpers.ACTION_CHECKBOX_NAME: [a.pk for a in activities]},
    )  # fmt: skip
    assert not Activity.objects.filter(code__startswith="geste-").exists()
    for activity in activities:
        assert [e.payload["what"] for e in configure_events(activity)] == ["delete"]


def test_every_admin_that_can_write_journals_its_edits(administrator):
    """An admin that can add, change or delete must be a JournaledConfigurationAdmin."""
    request = RequestFactory().get("/admin/")
    request.user = administrator
    unjournaled = []
    for model, model_admin in admin.site._registry.items():
        writes = (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
        if writes and not isinstance(model_admin, JournaledConfigurationAdmin):
            unjournaled.append(model._meta.label)
    assert unjournaled == [], (
        "these admins can write but do not journal it: add JournaledConfigurationAdmin "
        f"(journal/admin_configure.py) or make them read-only: {unjournaled}"
    )
