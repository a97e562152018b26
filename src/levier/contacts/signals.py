"""What contacts tells the apps that own rows pointing at a contact.

contacts is a base layer: it imports none of the apps above it. A merge or a change is
announced here, inside the service's transaction, and each owner moves or refreshes its
own rows in a receiver (`<app>/receivers.py`, connected in the app's `ready()`), so a
receiver that fails rolls the whole merge or change back.

A `contact_merged` receiver returns a dict of the identifiers it moved (e.g.
{"cases": [3, 7]}), which the merge's journal event carries.
"""

from __future__ import annotations

from django.dispatch import Signal

# sender=Contact, source_id: int, target_id: int, actor: Agent | Actor.
# Rows of the source move to the target; the source stays behind, marked as merged.
contact_merged = Signal()

# sender=Contact, contact: Contact (already saved), fields: list[str] of changed names.
contact_changed = Signal()
