"""`levier check --deploy`: may the application's database role switch the journal's triggers off?"""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from levier.journal.database_roles import JournalRoleRights, journal_role_rights

HINT = gettext_lazy(
    "Run the application as a role that owns nothing (migrations as the owner role) and give "
    "it its rights with `levier db_grants --role <role> --apply`: see docs/deployment.md."
)


def journal_role_warnings(rights: JournalRoleRights) -> list[Warning]:
    warnings = []
    if rights.superuser:
        warnings.append(Warning(
            _("The database role “%(role)s” is a superuser: it can switch the journal's append-only triggers off.") % {"role": rights.role},
            hint=HINT, id="levier.W002",
        ))  # fmt: skip
    elif rights.owns_journal or rights.may_set_replication_role:
        warnings.append(Warning(
            _("The database role “%(role)s” owns the journal table or its trigger function, or may set session_replication_role: it can switch the journal's append-only triggers off.") % {"role": rights.role},
            hint=HINT, id="levier.W003",
        ))  # fmt: skip
    elif rights.may_change_journal:
        warnings.append(Warning(
            _("The database role “%(role)s” has UPDATE, DELETE or TRUNCATE rights on the journal: the triggers refuse them, but the role should only read and append.") % {"role": rights.role},
            hint=HINT, id="levier.W004",
        ))  # fmt: skip
    return warnings


@register(Tags.security, deploy=True)
def check_journal_database_role(app_configs=None, databases=None, **kwargs):
    connection = connections["default"]
    if connection.vendor == "sqlite":
        return [Warning(
            _("The database is SQLite: anyone who can write its file can remove the journal's append-only triggers."),
            hint=_("Use PostgreSQL in production, with the two roles described in docs/deployment.md."),
            id="levier.W005",
        )]  # fmt: skip
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            rights = journal_role_rights(cursor)
    except DatabaseError as error:
        return [Warning(
            _("The rights of the database role on the journal could not be checked: %(error)s") % {"error": error},
            id="levier.W006",
        )]  # fmt: skip
    return journal_role_warnings(rights) if rights else []
