"""The usager pool: persons, companies and associations that cases and enquiries reuse."""

from __future__ import annotations

from levier.contacts.models import Contact
from levier.core.text import fold

from .. import content
from ..generators import CompanyRecord, PersonRecord
from ..plans import PoolContact, chunks

MAX_POOL = 60_000  # usagers reused by cases beyond this many


class ContactLoading:
    """Creates the usager pool in chunks; mixed into `Seeder`."""

    def pool_sizes(self) -> dict[str, int]:
        options = self.options
        if options.contacts:
            total = options.contacts
        else:
            total = min(MAX_POOL, max(30, int(options.cases * 0.85)) + int(options.enquiries * 0.3))
        weights = {entry["contact_kind"]: entry["weight"] for entry in content.PROCEDURES}
        case_share = options.cases / max(1, options.cases + options.enquiries * 0.3)
        sizes = {
            kind: max(3, int(total * case_share * weight / 100)) for kind, weight in weights.items()
        }
        sizes["person"] += max(3, total - sum(sizes.values()))
        return sizes

    def new_record(self, kind: str) -> PersonRecord | CompanyRecord:
        if kind == "person":
            return self.generator.person()
        if kind == "association":
            return self.generator.association()
        return self.generator.company()

    def create_contacts(self) -> None:
        sizes = self.pool_sizes()
        bar = self.progress(sum(sizes.values()), "usagers", "Usagers")
        for kind, size in sizes.items():
            self.pool[kind] = []
            self.next_contact[kind] = 0
            for start, end in chunks(size, self.options.chunk_size):
                records = [self.new_record(kind) for _ in range(end - start)]
                rows = [{**record.contact_fields(), "created_at": self.now} for record in records]
                with self.writer.unit():
                    ids = self.writer.insert(Contact, rows)
                for contact_id, record, row in zip(ids, records, rows, strict=True):
                    siret = row.get("siret", "")
                    self.pool[kind].append(
                        PoolContact(
                            contact_id,
                            kind,
                            record,
                            record.display_name,
                            siret,
                            row["email"],
                            fold(f"{record.display_name} {siret} {row['email']}"),
                        )
                    )
                bar.update(end - start)
                self.report.add("contacts", end - start)
        self.writer.drain()
        bar.close()

    def pick_contact(self, kind: str) -> PoolContact:
        """Each usager of the pool once, in order; then anyone again (some usagers file many cases)."""
        pool = self.pool[kind]
        position = self.next_contact[kind]
        if position < len(pool):
            self.next_contact[kind] = position + 1
            return pool[position]
        return self.rng.choice(pool)
