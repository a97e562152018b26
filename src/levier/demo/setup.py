"""The demo administration itself: organisation, teams, logins, procedures, topics.

Everything here is idempotent (get_or_create by natural key), so `levier seed` can
run again and again; demo passwords are reset to the printed one each time.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from django.apps import apps as django_apps
from django.contrib.auth.hashers import make_password
from django.db import transaction

from levier.cases.models import Procedure, ProcedureVersion
from levier.core.models import Agent, Organisation, Role, Team
from levier.core.text import fold
from levier.enquiries.models import Topic
from levier.journal.models import Activity

from . import content
from .generators import DemoGenerator

DEMO_PASSWORD = "levier-demo-2026"


@dataclass
class DemoSetup:
    organisation: Organisation
    teams: dict[str, Team]
    logins: list[Agent]
    members: dict[int, list[tuple[Agent, int]]]  # team id -> (agent, weight in the workload)
    leads: dict[int, Agent]  # team id -> team lead
    procedures: dict[str, Procedure]
    versions: dict[str, ProcedureVersion]
    topics: dict[str, Topic]
    standard_seconds: dict[str, int] = field(default_factory=dict)


CATALOGUE_MIGRATIONS = (
    "0003_activity_catalogue",
    "0004_intake_activities",
    "0005_control_activities",
)


def colleague_username(first_name: str, last_name: str) -> str:
    return f"{fold(first_name)[:1]}.{fold(last_name).replace(' ', '-')}"


def ensure_activity_catalogue() -> dict[str, int]:
    """Create the catalogue migrations' gestes métier that are missing; return code -> seconds."""
    # A flushed database lost the migrations' rows: put them back with the same code.
    for name in CATALOGUE_MIGRATIONS:
        importlib.import_module(f"levier.journal.migrations.{name}").create_activities(
            django_apps, None
        )
    return dict(Activity.objects.values_list("code", "standard_seconds"))


def _agent(
    organisation: Organisation,
    *,
    username: str,
    first_name: str,
    last_name: str,
    role: str,
    password_hash: str | None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> Agent:
    agent, _created = Agent.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "organisation": organisation,
            "role": role,
            "email": f"{username}@levier-demo.example",
            "is_staff": is_staff,
            "is_superuser": is_superuser,
        },
    )
    changed = False
    for name, value in (
        ("organisation", organisation),
        ("role", role),
        ("is_active", True),
        ("is_staff", is_staff),
        ("is_superuser", is_superuser),
    ):
        if getattr(agent, name) != value:
            setattr(agent, name, value)
            changed = True
    if password_hash:
        if agent.password != password_hash:
            agent.password = password_hash
            changed = True
    elif agent.has_usable_password():
        agent.set_unusable_password()
        changed = True
    if changed:
        agent.save()
    return agent


@transaction.atomic
def ensure_demo_setup(*, password: str = DEMO_PASSWORD) -> DemoSetup:
    organisation, _ = Organisation.objects.get_or_create(
        name=content.ORGANISATION["name"],
        defaults={
            "siren": DemoGenerator(seed=1).siren(first_digits="22"),
            "address": content.ORGANISATION["address"],
            "email": content.ORGANISATION["email"],
            "signatory": content.ORGANISATION["signatory"],
        },
    )
    teams = {}
    for entry in content.TEAMS:
        team, _ = Team.objects.get_or_create(
            slug=entry["slug"],
            defaults={"name": entry["name"], "organisation": organisation, "email": entry["email"]},
        )
        teams[entry["slug"]] = team

    # One hash for every demo login: PBKDF2 takes half a second per call, by design.
    password_hash = make_password(password)
    logins = []
    members: dict[int, list[tuple[Agent, int]]] = {team.pk: [] for team in teams.values()}
    leads: dict[int, Agent] = {}
    for entry in content.ACCOUNTS:
        agent = _agent(
            organisation,
            username=entry["username"],
            first_name=entry["first_name"],
            last_name=entry["last_name"],
            role=entry["role"],
            password_hash=password_hash,
            is_staff=entry.get("is_staff", False),
            is_superuser=entry.get("is_superuser", False),
        )
        agent.teams.set([teams[slug] for slug in entry["teams"]])
        logins.append(agent)
        for slug in entry["teams"]:
            team_id = teams[slug].pk
            if entry["role"] == Role.TEAM_LEAD:
                leads[team_id] = agent
                members[team_id].append((agent, 1))
            else:
                members[team_id].append((agent, 4))
    for slug, people in content.COLLEAGUES.items():
        team = teams[slug]
        for first_name, last_name in people:
            agent = _agent(
                organisation,
                username=colleague_username(first_name, last_name),
                first_name=first_name,
                last_name=last_name,
                role=Role.AGENT,
                password_hash=None,
            )
            agent.teams.set([team])
            members[team.pk].append((agent, 3))

    procedures, versions = {}, {}
    for entry in content.PROCEDURES:
        procedure, created = Procedure.objects.get_or_create(
            slug=entry["slug"],
            defaults={
                "organisation": organisation,
                "name": entry["name"],
                "description": entry["description"],
                "reference_prefix": entry["reference_prefix"],
                "team": teams[entry["team"]],
                "published": True,
                "instruction_days": entry["instruction_days"],
                "field_schema": entry["field_schema"],
            },
        )
        version = procedure.versions.order_by("-number").first()
        if version is None:
            version = ProcedureVersion.objects.create(
                procedure=procedure, number=1, field_schema=procedure.field_schema
            )
        procedures[entry["slug"]] = procedure
        versions[entry["slug"]] = version

    topics = {}
    for entry in content.TOPICS:
        topic, _ = Topic.objects.get_or_create(
            slug=entry["slug"],
            defaults={
                "organisation": organisation,
                "label": entry["label"],
                "team": teams[entry["team"]],
                "sla_hours": entry["sla_hours"],
            },
        )
        topics[entry["slug"]] = topic

    return DemoSetup(
        organisation=organisation,
        teams=teams,
        logins=logins,
        members=members,
        leads=leads,
        procedures=procedures,
        versions=versions,
        topics=topics,
        standard_seconds=ensure_activity_catalogue(),
    )
