"""Organisation, teams and agents: who works in levier and what they may see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    signatory = models.CharField(_("signatory"), max_length=200, blank=True)
    logo = models.ImageField(
        _("logo"),
        upload_to="organisation/",
        blank=True,
        help_text=_("PNG or JPEG, printed at the top of HTML document templates."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    email = models.EmailField(_("team email"), blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    TEAM_LEAD = "team_lead", _("Team lead")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")
    # Sees who read or exported each usager's data, across the organisation, and nothing
    # else: no case, enquiry or contact page beyond their own teams' (they usually have none).
    DPO = "dpo", _("Data protection officer")


class AgentManager(UserManager["Agent"]):
    pass


class Agent(AbstractUser):
    """A person who works in levier. Sees the objects of their teams only."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="agents"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField(Team, blank=True, related_name="agents", verbose_name=_("teams"))

    objects = AgentManager()

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def sees_whole_organisation(self) -> bool:
        """Managers and administrators follow every team of their organisation (if they have one)."""
        return self.role in {Role.MANAGER, Role.ADMINISTRATOR} or self.is_superuser

    @property
    def may_audit_personal_data(self) -> bool:
        """The data protection officer's page: the DPO, administrators and superusers (the
        rule is levier.core.policy's Action.AUDIT_PERSONAL_DATA)."""
        from . import policy  # the policy builds on this module

        return policy.may(self, policy.Action.AUDIT_PERSONAL_DATA)

    def audited_team_ids(self) -> list[int]:
        """Teams whose usagers' reads the agent may audit: the whole organisation, fail closed
        (no organisation: none, unless superuser, who audits every team)."""
        if not self.may_audit_personal_data:
            return []
        if self.is_superuser and not self.organisation_id:
            return list(Team.objects.values_list("id", flat=True))
        return list(
            Team.objects.filter(organisation_id=self.organisation_id).values_list("id", flat=True)
        )

    def visible_team_ids(self) -> list[int]:
        """Ids of the teams whose objects this agent may see (cached per instance)."""
        cached = getattr(self, "_visible_team_ids", None)
        if cached is None:
            # Fail closed: without an organisation, even a manager sees only their own teams.
            if self.sees_whole_organisation and self.organisation_id:
                teams = Team.objects.filter(organisation_id=self.organisation_id)
            else:
                teams = self.teams.all()
            cached = list(teams.values_list("id", flat=True))
            self._visible_team_ids = cached
        return cached


class Notification(models.Model):
    """Something an agent should look at: an @mention, an assignment."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agent", "read_at"])]

    def __str__(self) -> str:
        return self.text


class ReferenceCounter(models.Model):
    """Last number given for a reference prefix in a year (PREFIX-YYYY-NNNNNN)."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="unique_reference_counter")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
