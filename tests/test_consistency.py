"""Meta-tests that keep the codebase honest as it grows."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from .factories import AgentFactory

SRC = Path(__file__).resolve().parent.parent / "src" / "levier"
WRITE_METHODS = {
    "save",
    "create",
    "update",
    "delete",
    "bulk_create",
    "get_or_create",
    "set",
    "add",
    "remove",
}
JOURNAL_CALLS = {"record", "record_read"}
# Public service functions that rightly write no event, and why.
NOT_JOURNALED = {
    "journal.services.record": "it is the journal",
    "journal.services.record_exports": "it is the journal (one bulk insert of export events)",
    "contacts.services.clean_contact_data": "validates a dict, writes nothing",
    "core.services.notification_mark_read": "an agent's own inbox state, no usager data",
    "controls.flags.flag_raise": "called inside a check, rule or scoring service, which journals",
    "controls.flags.flag_clear": "called inside a check, rule or scoring service, which journals",
    "automation.services.automation_run_enqueue": "a run's bookkeeping; the run's effect journals",
}
# Apps whose writes live in modules named by subject rather than in one services.py.
WRITE_MODULES = ["controls/document_checks.py", "controls/rule_checks.py",
                 "controls/batch_scoring.py", "controls/flags.py"]  # fmt: skip


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _called_names(function: ast.FunctionDef) -> set[str]:
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
    return names


def test_every_service_that_writes_journals_its_event():
    """A public function in a services.py that writes data must write a journal event,
    itself or through a service it calls (DESIGN.md: every action is one journal event)."""
    functions: dict[str, ast.FunctionDef] = {}
    public: list[tuple[str, str]] = []
    # A services package (documents, mailing) splits its writes into a module per concern.
    paths = sorted(SRC.glob("*/services.py")) + sorted(SRC.glob("*/services/*.py"))
    paths += [SRC / module for module in WRITE_MODULES]
    for path in paths:
        module = ".".join(path.relative_to(SRC).with_suffix("").parts)
        for name, node in _functions(ast.parse(path.read_text())).items():
            functions[name] = node
            if not name.startswith("_"):
                public.append((module, name))
    calls = {name: _called_names(node) for name, node in functions.items()}

    journals = {name for name, called in calls.items() if called & JOURNAL_CALLS}
    changed = True
    while changed:  # a function journals if it calls one that does
        changed = False
        for name, called in calls.items():
            if name not in journals and called & journals:
                journals.add(name)
                changed = True

    silent_writers = [
        f"{module}.{name}"
        for module, name in public
        if calls[name] & WRITE_METHODS
        and name not in journals
        and f"{module}.{name}" not in NOT_JOURNALED
    ]
    assert silent_writers == [], f"services that write without a journal event: {silent_writers}"


@pytest.mark.django_db
def test_no_migration_is_missing():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_every_admin_page_opens_for_an_administrator(client):
    client.force_login(AgentFactory(username="root", administrator=True))
    for model in admin.site._registry:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert client.get(add).status_code in {200, 403}, add
