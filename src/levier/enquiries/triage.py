"""Where an incoming enquiry goes and how fast: topic, priority, team, rule, deadline.

Nothing here writes. `triage()` gathers the classifier's suggestions, the administrator's
routing rules and the answer-deadline policies into one `Triage`, with the reasons in
words an agent can read; the intake service stores it and journals each step.

Precedence: a topic chosen by the usager stands; otherwise the classifier's topic is
applied only above the confidence threshold (a weaker guess is kept as a hint). The
first routing rule that matches sets the team (and the priority, if it says so);
otherwise the topic's team; otherwise the default intake team.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from levier.contacts.models import Contact
from levier.core import geo
from levier.core.business_hours import add_business_hours
from levier.core.models import Team
from levier.core.text import fold

from . import classification
from .models import LabelSource, Priority, RoutingRule, SlaPolicy, Topic

DEFAULT_SLA_HOURS = 24  # business hours, i.e. about three working days
DEFAULT_WARNING_HOURS = 4


@dataclass
class Triage:
    team: Team
    topic: Topic | None = None
    topic_source: str = LabelSource.NONE
    topic_confidence: float | None = None
    suggested_topic: Topic | None = None
    priority: int = Priority.NORMAL
    priority_source: str = LabelSource.NONE
    priority_confidence: float | None = None
    routing_rule: RoutingRule | None = None
    sla_due_at: datetime | None = None
    reasons: list[str] = field(default_factory=list)

    def payload(self) -> dict:
        """What the journal keeps of the decision."""
        return {
            "team_id": self.team.pk,
            "topic": self.topic.slug if self.topic else "",
            "topic_source": self.topic_source,
            "topic_confidence": self.topic_confidence,
            "suggested_topic": self.suggested_topic.slug if self.suggested_topic else "",
            "priority": self.priority,
            "priority_source": self.priority_source,
            "priority_confidence": self.priority_confidence,
            "rule_id": self.routing_rule.pk if self.routing_rule else None,
        }

    def detail(self) -> str:
        """The reasons in words, one a line: shown on the enquiry, purged with retention."""
        return "\n".join(str(reason) for reason in self.reasons if reason)


@dataclass(frozen=True)
class Classification:
    topic: Topic | None
    topic_confidence: float | None
    priority: int | None
    priority_confidence: float | None


def classify(subject: str, body: str) -> Classification:
    """The classifier's best topic and urgency with their confidence, thresholds aside."""
    classifier = classification.load()
    if classifier is None:
        return Classification(None, None, None, None)
    predictions = classifier.predict_all(classification.enquiry_text(subject, body))
    topic = topic_confidence = priority = priority_confidence = None
    if "topic" in predictions:
        prediction = predictions["topic"]
        topic = Topic.objects.select_related("team").filter(slug=prediction.label).first()
        topic_confidence = round(prediction.confidence, 3) if topic else None
    if "urgency" in predictions:
        prediction = predictions["urgency"]
        if prediction.label in Priority.values:
            priority, priority_confidence = int(prediction.label), round(prediction.confidence, 3)
    return Classification(topic, topic_confidence, priority, priority_confidence)


def contact_departement(contact: Contact | None) -> str:
    if contact is None:
        return ""
    if contact.commune_code:
        return geo.departement_of_commune(contact.commune_code) or ""
    if contact.postal_code:
        return geo.departement_of_postal_code(contact.postal_code) or ""
    return ""


def _codes(value: str) -> set[str]:
    return {code.strip().upper() for code in re.split(r"[,;\s]+", value or "") if code.strip()}


def rule_keywords(rule: RoutingRule) -> list[str]:
    return [fold(line) for line in (rule.keywords or "").splitlines() if fold(line)]


def rule_matches(
    rule: RoutingRule,
    *,
    topic: Topic | None,
    channel: str,
    contact: Contact | None,
    departement: str,
    folded_text: str,
) -> bool:
    """Every condition the rule sets holds (an empty condition holds for anything)."""
    if rule.topic_id and (topic is None or topic.pk != rule.topic_id):
        return False
    if rule.channel and rule.channel != channel:
        return False
    if rule.contact_kind and (contact is None or contact.kind != rule.contact_kind):
        return False
    if rule.departements and departement.upper() not in _codes(rule.departements):
        return False
    if rule.communes and (
        contact is None or not geo.commune_codes_of(contact.commune_code) & _codes(rule.communes)
    ):
        return False
    keywords = rule_keywords(rule)
    if keywords and not any(
        re.search(rf"\b{re.escape(keyword)}\b", folded_text) for keyword in keywords
    ):
        return False
    return True


def first_matching_rule(**facts) -> RoutingRule | None:
    rules = (
        RoutingRule.objects.filter(is_active=True).select_related("team").order_by("position", "id")
    )
    return next((rule for rule in rules if rule_matches(rule, **facts)), None)


def default_team() -> Team:
    """Where an enquiry goes when neither a rule nor a topic says: the front office."""
    slug = settings.LEVIER_INTAKE_DEFAULT_TEAM
    team = Team.objects.filter(slug=slug).first() if slug else None
    team = team or Team.objects.order_by("id").first()
    if team is None:
        raise Team.DoesNotExist("No team exists yet: create one in the admin.")
    return team


def sla_policy(team: Team, topic: Topic | None) -> tuple[float, float]:
    """(deadline, warning) in business hours: team+topic, then team, then topic, then default."""
    wanted = Q(topic__isnull=True) | Q(topic=topic) if topic else Q(topic__isnull=True)
    policies = {policy.topic_id: policy for policy in SlaPolicy.objects.filter(wanted, team=team)}
    policy = policies.get(topic.pk if topic else None) or policies.get(None)
    if policy is not None:
        return policy.business_hours, policy.warning_hours
    if topic is not None:
        return topic.sla_hours, DEFAULT_WARNING_HOURS
    return DEFAULT_SLA_HOURS, DEFAULT_WARNING_HOURS


def due_at(*, start: datetime, team: Team, topic: Topic | None) -> datetime:
    hours, _warning = sla_policy(team, topic)
    return add_business_hours(start, hours)


def triage(
    *,
    subject: str,
    body: str,
    channel: str,
    contact: Contact | None,
    received_at: datetime,
    topic: Topic | None = None,
    team: Team | None = None,
) -> Triage:
    """Decide topic, priority, team and deadline for a new enquiry (nothing is saved)."""
    threshold = classification.threshold()
    guess = classify(subject, body)
    reasons: list[str] = []

    topic_source, topic_confidence = LabelSource.NONE, guess.topic_confidence
    if topic is not None:
        topic_source = LabelSource.USAGER if team is None else LabelSource.AGENT
    elif guess.topic is not None and (guess.topic_confidence or 0) >= threshold:
        topic, topic_source = guess.topic, LabelSource.ROBOT
        reasons.append(
            _("Topic “%(topic)s” suggested by the classifier (confidence %(confidence)d %%).")
            % {"topic": guess.topic.label, "confidence": round(100 * topic_confidence)}
        )
    elif guess.topic is not None:
        reasons.append(
            _(
                "The classifier hesitates (“%(topic)s”, confidence %(confidence)d %%): "
                "an agent chooses the topic."
            )
            % {"topic": guess.topic.label, "confidence": round(100 * (topic_confidence or 0))}
        )

    priority, priority_source = Priority.NORMAL, LabelSource.NONE
    if guess.priority is not None and (guess.priority_confidence or 0) >= threshold:
        priority, priority_source = guess.priority, LabelSource.ROBOT

    rule = None
    if team is None:
        rule = first_matching_rule(
            topic=topic,
            channel=channel,
            contact=contact,
            departement=contact_departement(contact),
            folded_text=fold(f"{subject} {body}"),
        )
    if rule is not None:
        team = rule.team
        reasons.append(_("Routed by the rule “%(rule)s”.") % {"rule": rule.name})
        if rule.set_priority:
            priority, priority_source = rule.set_priority, LabelSource.RULE
    elif team is None and topic is not None:
        team = topic.team
    elif team is None:
        team = default_team()
        reasons.append(_("No rule or topic applies: sent to the front office team."))

    return Triage(
        team=team,
        topic=topic,
        topic_source=topic_source,
        # The classifier's confidence in its applied topic, or in its guess when it hesitated.
        topic_confidence=topic_confidence if topic_source in (LabelSource.ROBOT, "") else None,
        suggested_topic=guess.topic,
        priority=priority,
        priority_source=priority_source,
        priority_confidence=guess.priority_confidence,
        routing_rule=rule,
        sla_due_at=due_at(start=received_at, team=team, topic=topic),
        reasons=reasons,
    )
