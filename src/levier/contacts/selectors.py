"""Reads of contacts, scoped to what the acting agent may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from levier.cases.models import Case
from levier.core.models import Agent
from levier.enquiries.models import Enquiry

from .models import Contact


def contact_list_for(agent: Agent) -> QuerySet[Contact]:
    """Contacts with a case or an enquiry in one of the agent's teams."""
    teams = agent.visible_team_ids()
    has_case = Exists(Case.objects.filter(contact=OuterRef("pk"), team_id__in=teams))
    has_enquiry = Exists(Enquiry.objects.filter(contact=OuterRef("pk"), team_id__in=teams))
    return Contact.objects.filter(has_case | has_enquiry).select_related("merged_into")


def get_contact_for(agent: Agent, contact_id: int) -> Contact:
    """One contact, or 404 when it does not exist or has nothing in the agent's teams."""
    contact = contact_list_for(agent).filter(pk=contact_id).first()
    if contact is None:
        raise Http404("No such contact.")
    return contact
