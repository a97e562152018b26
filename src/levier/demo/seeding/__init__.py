"""Bulk loading of demo data: usagers, cases, documents, comments, enquiries, journal.

The demo is loaded in chunks (5,000 cases by default): each chunk is generated in
memory as plain rows, written in one transaction and dropped, so memory stays flat
whether one loads 2,000 cases on SQLite or 1,000,000 on PostgreSQL. Rows go through
`RowWriter`: COPY on PostgreSQL, `bulk_create` elsewhere. Usagers come from a
bounded pool that cases and enquiries reuse.

Rows are written as levier's services would write them (same statuses, verbs,
activity codes, payloads, search_text and verification digest), without calling
the services one by one: the demo loads in seconds instead of hours. Journal events
are inserted in bulk, which the append-only journal accepts (it refuses updates and
deletes, not inserts).

One module per step, each a mixin of `Seeder` (`seeder`): `contacts` (the usager
pool), `cases` (cases, their documents, comments and journal), `enquiries`
(sollicitations and their threads), on the shared helpers of `rows`; `options`
holds what a run is asked and what it reports.
"""

from .cases import CasePlan
from .options import SeedOptions, SeedReport
from .seeder import Seeder, seed

__all__ = ["CasePlan", "SeedOptions", "SeedReport", "Seeder", "seed"]
