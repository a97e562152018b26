"""The verbs of reads and exports of personal data, and their labels for people.

The data protection officer's page lists the events with these verbs.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

READ = "read"  # one object's page, file or preview
READ_LIST = "read_list"  # a list page: the rows shown are the event's subjects
EXPORT = "export"  # the object left levier in a file (a mail merge ZIP, a CSV)
REVEAL = "reveal"  # a masked identifier (NIR, IBAN) shown in full

PERSONAL_DATA_VERBS = {
    READ: _("Consulted"),
    READ_LIST: _("Shown in a list"),
    EXPORT: _("Exported"),
    REVEAL: _("Masked identifier revealed"),
}


def verb_label(verb: str) -> str:
    return str(PERSONAL_DATA_VERBS.get(verb, verb))
