"""factory_boy factories shared by the whole suite. Traits for the usual variants."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from levier.cases.models import Case, CaseStatus, Procedure, ProcedureVersion
from levier.contacts.models import Contact, ContactKind
from levier.core.models import Agent, Organisation, Role, Team
from levier.core.text import fold
from levier.enquiries.models import Channel, Enquiry, EnquiryStatus, Message, Topic

PASSWORD = "levier-test-pass-2026"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = "Direction départementale de test"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Équipe {n}")
    slug = factory.Sequence(lambda n: f"equipe-{n}")


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Sequence(lambda n: f"Camille{n}")
    last_name = "Martin"
    email = factory.LazyAttribute(lambda o: f"{o.username}@levier.test")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        manager = factory.Trait(role=Role.MANAGER)
        administrator = factory.Trait(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)
        if create:
            self.save()


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    kind = ContactKind.PERSON
    first_name = "Élodie"
    last_name = factory.Sequence(lambda n: f"Dupont{n}")
    email = factory.Sequence(lambda n: f"usager{n}@exemple.fr")
    birth_date = datetime.date(1985, 4, 12)
    address = "12 rue de la République"
    postal_code = "69001"
    city = "Lyon"
    commune_code = "69381"

    class Params:
        company = factory.Trait(
            kind=ContactKind.COMPANY,
            first_name="",
            last_name="",
            birth_date=None,
            legal_name=factory.Sequence(lambda n: f"Boulangerie Test {n}"),
            siren="732829320",
            siret="73282932000074",
            naf_code="10.71C",
        )


DEFAULT_SCHEMA = [
    {"name": "project", "label": "Objet de la demande", "type": "text", "required": True},
    {"name": "amount", "label": "Montant demandé", "type": "money", "required": True},
    {"name": "start_date", "label": "Date de début", "type": "date", "required": False},
]


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    slug = factory.Sequence(lambda n: f"demarche-{n}")
    name = factory.Sequence(lambda n: f"Aide test {n}")
    reference_prefix = "TST"
    team = factory.SubFactory(TeamFactory)
    published = True
    field_schema = factory.LazyFunction(lambda: list(DEFAULT_SCHEMA))

    @factory.post_generation
    def version(self, create, extracted, **kwargs):
        if create:
            ProcedureVersion.objects.create(
                procedure=self, number=1, field_schema=self.field_schema
            )


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"TST-2026-{900000 + n:06d}")
    procedure = factory.SubFactory(ProcedureFactory)
    procedure_version = factory.LazyAttribute(
        lambda o: o.procedure.versions.order_by("-number").first()
    )
    contact = factory.SubFactory(ContactFactory)
    team = factory.LazyAttribute(lambda o: o.procedure.team)
    status = CaseStatus.SUBMITTED
    data = factory.LazyFunction(lambda: {"project": "Achat d'un four", "amount": "4500.00"})
    submitted_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    search_text = factory.LazyAttribute(
        lambda o: fold(
            f"{o.reference} {o.contact.display_name} {o.contact.siret} {o.contact.email}"
        )
    )

    class Params:
        in_review = factory.Trait(status=CaseStatus.IN_REVIEW)
        draft = factory.Trait(status=CaseStatus.DRAFT, submitted_at=None)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    organisation = factory.SubFactory(OrganisationFactory)
    slug = factory.Sequence(lambda n: f"sujet-{n}")
    label = factory.Sequence(lambda n: f"Sujet {n}")
    team = factory.SubFactory(TeamFactory)


class EnquiryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enquiry

    # Numbers from 900000: references the counter allocates in the same test start at 1.
    reference = factory.Sequence(lambda n: f"SOL-2026-{900000 + n:06d}")
    channel = Channel.PORTAL
    topic = factory.SubFactory(TopicFactory)
    subject = "Question sur mon dossier"
    status = EnquiryStatus.NEW
    team = factory.LazyAttribute(lambda o: o.topic.team)
    contact = factory.SubFactory(ContactFactory)
    sla_due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=72))
    search_text = factory.LazyAttribute(
        lambda o: fold(f"{o.reference} {o.subject} {o.contact.display_name} {o.contact.email}")
    )


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    enquiry = factory.SubFactory(EnquiryFactory)
    direction = "in"
    body = "Bonjour, je souhaite savoir où en est ma demande. Cordialement."
