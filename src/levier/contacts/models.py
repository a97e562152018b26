"""Usagers: persons and companies, with validated identifiers.

One table holds both kinds (they share address, email and every link from cases and
enquiries); `Person` and `Company` are proxies that the admin and services use.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class ContactKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class ContactQuerySet(models.QuerySet):
    def active(self) -> ContactQuerySet:
        return self.filter(merged_into__isnull=True)

    def persons(self) -> ContactQuerySet:
        return self.filter(kind=ContactKind.PERSON)

    def companies(self) -> ContactQuerySet:
        return self.filter(kind=ContactKind.COMPANY)


class Contact(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    # Person
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    nir = models.CharField(_("NIR"), max_length=15, blank=True, db_index=True)
    # Company
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, db_index=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, db_index=True)
    naf_code = models.CharField(_("NAF code"), max_length=6, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=13, blank=True)
    # Both
    email = models.EmailField(_("email"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    commune_code = models.CharField(_("INSEE commune code"), max_length=5, blank=True)
    # Set by the outbox when email to this address bounces or keeps failing (mailing app).
    email_undeliverable_at = models.DateTimeField(
        _("email undeliverable since"), null=True, blank=True
    )
    email_problem = models.TextField(_("email problem"), blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            # Duplicate detection looks candidates up by these (see duplicates.py).
            models.Index(Lower("email"), name="contact_email_lower"),
            models.Index(fields=["birth_date"], name="contact_birth_date"),
            models.Index(fields=["iban"], name="contact_iban"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == ContactKind.COMPANY:
            return self.legal_name
        return f"{self.first_name} {self.last_name.upper()}".strip()


class PersonManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=ContactKind.PERSON)


class CompanyManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=ContactKind.COMPANY)


class Person(Contact):
    objects = PersonManager()

    class Meta:
        proxy = True
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def save(self, *args, **kwargs):
        self.kind = ContactKind.PERSON
        super().save(*args, **kwargs)


class Company(Contact):
    objects = CompanyManager()

    class Meta:
        proxy = True
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def save(self, *args, **kwargs):
        self.kind = ContactKind.COMPANY
        super().save(*args, **kwargs)
