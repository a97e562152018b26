"""Text normalisation shared by search indexing and queries."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Élodie Müller' -> 'elodie muller'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


def search_terms(query: str) -> list[str]:
    """Words of a search box, folded; spaces inside SIRET or IBAN groups are kept out."""
    return [term for term in fold(query).split() if term]
