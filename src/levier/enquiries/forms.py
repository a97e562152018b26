"""Forms of the agents' enquiry pages, and the multiple-file field shared with the portal."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from levier.core.forms import LevierForm
from levier.core.selectors import colleagues_of, teams_of

from .models import Channel, EnquiryStatus, Priority
from .selectors import assignable_agents, classify_topics, topics_for

STATUS_FILTER_CHOICES = [
    ("", _("All statuses")),
    ("open", _("Not closed")),
    *EnquiryStatus.choices,
]
SLA_CHOICES = [
    ("", _("Any deadline")),
    ("overdue", _("Overdue")),
    ("due_soon", _("Due within 8 hours")),
    ("on_time", _("On time")),
]
ANSWER_DEADLINE_CHOICES = [
    ("", _("Any")),
    ("met", _("Answered in time")),
    ("missed", _("Answered late or not answered")),
    ("due", _("Deadline reached or answered")),
]


def yes_choices(label: str) -> list[tuple[str, str]]:
    return [("", _("Any")), ("yes", label)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class EnquiryFilterForm(LevierForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, reference or email"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER_CHOICES, required=False)
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=None, required=False, empty_label=_("All topics")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=None, required=False, empty_label=_("All my teams")
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    sla = forms.ChoiceField(label=_("Answer deadline"), choices=SLA_CHOICES, required=False)
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DateInput())
    received_to = forms.DateField(label=_("Received until"), required=False, widget=DateInput())
    # The dashboards' drill-downs (levier.insights.dashboards): each figure opens this list.
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    without_topic = forms.ChoiceField(
        label=_("Topic set"), required=False, choices=yes_choices(_("Without topic"))
    )
    closed_from = forms.DateField(label=_("Closed from"), required=False, widget=DateInput())
    closed_to = forms.DateField(label=_("Closed until"), required=False, widget=DateInput())
    answer_deadline = forms.ChoiceField(
        label=_("Answer deadline met"), required=False, choices=ANSWER_DEADLINE_CHOICES
    )
    first_contact = forms.ChoiceField(
        label=_("First-contact resolution"),
        required=False,
        choices=yes_choices(_("Resolved at first contact")),
    )
    reopened = forms.ChoiceField(
        label=_("Reopened"), required=False, choices=yes_choices(_("Reopened by the usager"))
    )

    def __init__(self, *args, agent, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics_for(agent)
        self.fields["team"].queryset = teams_of(agent)
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Nobody")),
            *[
                (str(colleague.pk), str(colleague))
                for colleague in colleagues_of(agent)
                if colleague.pk != agent.pk
            ],
        ]
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            self.add_error(
                "received_to",
                _("This date is before the “received from” date. Swap the two dates."),
            )
        start, end = cleaned.get("closed_from"), cleaned.get("closed_to")
        if start and end and start > end:
            self.add_error(
                "closed_to",
                _("This date is before the “closed from” date. Swap the two dates."),
            )
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments for selectors.enquiry_list_for, from the fields that are valid."""
        data = getattr(self, "cleaned_data", {})
        topic, team = data.get("topic"), data.get("team")
        return {
            "status": data.get("status") or "",
            "topic_id": topic.pk if topic else None,
            "team_id": team.pk if team else None,
            "assignee": data.get("assignee") or "",
            "received_from": data.get("received_from"),
            "received_to": data.get("received_to") if "received_to" not in self.errors else None,
            "sla": data.get("sla") or "",
            "q": data.get("q") or "",
            "channel": data.get("channel") or "",
            "without_topic": data.get("without_topic") == "yes",
            "closed_from": data.get("closed_from"),
            "closed_to": data.get("closed_to") if "closed_to" not in self.errors else None,
            "answer_deadline": data.get("answer_deadline") or "",
            "first_contact": data.get("first_contact") == "yes",
            "reopened": data.get("reopened") == "yes",
        }


class ReplyForm(LevierForm):
    OUTCOMES = [("wait", _("Send and wait for the usager")), ("close", _("Send and close"))]

    body = forms.CharField(
        label=_("Answer to the usager"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Sent by email to the usager and shown on their follow-up page."),
    )
    outcome = forms.ChoiceField(choices=OUTCOMES, widget=forms.HiddenInput, required=True)
    # The suggested reply the agent started from ("template:12", "answer:345"), journaled.
    suggestion = forms.RegexField(
        regex=r"^(template|answer):\d{1,12}$", required=False, widget=forms.HiddenInput
    )

    def clean_suggestion(self) -> str:
        return self.cleaned_data.get("suggestion") or ""

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError(_("Write the answer before sending it."))
        return body


class AssignForm(LevierForm):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=None,
        required=False,
        empty_label=_("Nobody (back to the queue)"),
    )

    def __init__(self, *args, enquiry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_agents(enquiry)


class CloseForm(LevierForm):
    reason = forms.CharField(
        label=_("Reason for closing"),
        required=False,
        max_length=500,
        help_text=_("For example: duplicate, sent by mistake, answered by phone."),
    )


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, topic) -> str:
        return _("%(topic)s (team %(team)s)") % {"topic": topic.label, "team": topic.team.name}


class ClassifyForm(LevierForm):
    """An agent confirms or corrects what the classifier or a rule decided."""

    topic = TopicChoiceField(
        label=_("Topic"), queryset=None, required=False, empty_label=_("No topic")
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, required=True
    )
    move_to_topic_team = forms.BooleanField(
        label=_("Also send it to the topic's team"),
        required=False,
        help_text=_("Its current assignee is then removed."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = classify_topics()

    @classmethod
    def for_enquiry(cls, enquiry) -> ClassifyForm:
        """Pre-filled with the current topic, or the classifier's hesitant guess."""
        topic_id = enquiry.topic_id or enquiry.suggested_topic_id
        return cls(initial={"topic": topic_id, "priority": enquiry.priority})
