import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from levier.journal.models import Event
from levier.journal.services import Actor, record


@pytest.fixture
def event(db, agent):
    return record(actor=agent, verb="read", target=agent, activity="consult-personal-data")


def test_record_fills_actor_target_and_standard_duration(event, agent):
    assert event.actor_kind == "agent"
    assert event.actor_id == str(agent.pk)
    assert event.target_type == "core.agent"
    assert event.target_id == str(agent.pk)
    assert Event.objects.filter(pk=event.pk).exists()


def test_robot_events_are_marked_automated(db, agent):
    event = record(actor=Actor.robot("router"), verb="route", target=agent)
    assert event.automated is True


def test_event_cannot_be_saved_again(event):
    event.verb = "tampered"
    with pytest.raises(PermissionDenied):
        event.save()


def test_event_cannot_be_deleted(event):
    with pytest.raises(PermissionDenied):
        event.delete()


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(PermissionDenied):
        Event.objects.filter(pk=event.pk).update(verb="tampered")
    with pytest.raises(PermissionDenied):
        Event.objects.filter(pk=event.pk).delete()


def test_database_trigger_refuses_raw_update_and_delete(event):
    """Below the ORM, the database itself keeps the journal append-only."""
    for sql in (
        f"UPDATE journal_event SET verb = 'tampered' WHERE id = {event.pk}",
        f"DELETE FROM journal_event WHERE id = {event.pk}",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert Event.objects.get(pk=event.pk).verb == "read"


def test_event_committed_signal_fires_after_commit(db, agent, django_capture_on_commit_callbacks):
    from levier.journal.services import event_committed

    received = []

    def listener(sender, event, **kwargs):
        received.append(event.verb)

    event_committed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            record(actor=agent, verb="assign", target=agent)
        assert received == ["assign"]
    finally:
        event_committed.disconnect(listener)


def test_database_trigger_refuses_raw_changes_to_list_read_subjects(db, agent):
    from levier.journal.models import EventSubject
    from levier.journal.services import record_list_read

    listed = record_list_read(agent=agent, listed="core.agent", shown=[agent])
    subject = EventSubject.objects.get(event=listed)
    for sql in (
        f"UPDATE journal_eventsubject SET subject_id = '0' WHERE id = {subject.pk}",
        f"DELETE FROM journal_eventsubject WHERE id = {subject.pk}",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert EventSubject.objects.get(pk=subject.pk).subject_id == str(agent.pk)


@pytest.mark.django_db(transaction=True)
def test_flush_empties_events_and_subjects_and_puts_the_triggers_back(agent):
    from django.core.management import call_command

    from levier.journal.models import EventSubject
    from levier.journal.services import record_list_read

    record_list_read(agent=agent, listed="core.agent", shown=[agent])
    call_command("flush", "--noinput", verbosity=0)
    assert not Event.objects.exists() and not EventSubject.objects.exists()
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert "journal_eventsubject" in tables
