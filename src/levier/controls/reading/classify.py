"""Which kind of supporting document a text is, with every kind's score to explain it.

Weighted cue phrases per kind, matched on folded text (no accents, lower case, spaces
collapsed). The strongest cues are also matched fuzzily (rapidfuzz) so that OCR noise
in a title ("AVIS D'IMP0T") still counts; weaker cues must be exact.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from .normalise import fold
from .types import KINDS, Classification

CONFIDENCE_FLOOR = 0.35
SATURATION = 8.0  # summed cue weight at which a kind's score reaches 1
FUZZY_CUTOFF = 88
FUZZY_WEIGHT = 3.0  # cues at least this strong are worth a fuzzy match
HEAD_CHARACTERS = 4000  # titles and labels sit at the top: fuzzy matching looks there only

# (cue, weight). Cues are folded already.
CUES: dict[str, tuple[tuple[str, float], ...]] = {
    "tax_notice": (
        ("avis d'impot", 4),
        ("revenu fiscal de reference", 4),
        ("impot sur les revenus", 3),
        ("nombre de parts", 3),
        ("numero fiscal", 2),
        ("reference de l'avis", 2),
        ("revenu imposable", 1.5),
        ("revenu brut global", 1.5),
        ("service des impots", 1),
        ("impot sur le revenu net", 1),
    ),
    "payslip": (
        ("bulletin de paie", 4),
        ("bulletin de salaire", 4),
        ("net a payer", 3),
        ("salaire brut", 3),
        ("net imposable", 2),
        ("cotisations", 1.5),
        ("salarie", 1),
        ("employeur", 1),
        ("convention collective", 1.5),
        ("periode du", 1),
        ("urssaf", 1),
        ("conges payes", 1),
        ("emploi", 0.5),
    ),
    "invoice": (
        ("facture n", 3.5),
        ("devis n", 3.5),
        ("total ht", 3),
        ("total ttc", 3),
        ("tva intracommunautaire", 1.5),
        ("prix unitaire", 1.5),
        ("designation", 1),
        ("tva", 1),
        ("siret", 0.5),
        ("client", 0.5),
        ("penalites de retard", 1),
        ("acompte", 0.5),
    ),
    "rib": (
        ("releve d'identite bancaire", 5),
        ("iban", 3),
        ("bic", 2),
        ("titulaire du compte", 2),
        ("domiciliation", 2),
        ("code banque", 1.5),
        ("code guichet", 1.5),
        ("cle rib", 1.5),
        ("numero de compte", 1),
    ),
    "kbis": (
        ("extrait d'immatriculation", 4),
        ("registre du commerce et des societes", 4),
        ("greffe du tribunal de commerce", 3),
        ("r.c.s", 2),
        ("denomination ou raison sociale", 2),
        ("forme juridique", 1),
        ("capital social", 1),
        ("date d'immatriculation", 1.5),
        ("kbis", 3),
    ),
    "address_proof": (
        ("justificatif de domicile", 4),
        ("quittance de loyer", 4),
        ("adresse de consommation", 3),
        ("point de livraison", 3),
        ("facture d'electricite", 3),
        ("facture de gaz", 3),
        ("facture d'eau", 3),
        ("consommation", 1.5),
        ("kwh", 1.5),
        ("abonnement", 1.5),
        ("releve de compteur", 1.5),
        ("ligne fixe", 1),
        ("locataire", 1.5),
        ("loyer", 1.5),
        ("electricite", 1),
        ("pdl", 1),
    ),
    "budget": (
        ("budget previsionnel", 5),
        ("total des charges", 3),
        ("total des produits", 3),
        ("subvention sollicitee", 2),
        ("fonds propres", 1),
        ("association", 1),
        ("rna", 1),
        ("frais de personnel", 1),
        ("achats", 0.5),
    ),
}


def folded_text(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text).replace("’", "'")).strip()


def score(kind: str, folded: str) -> float:
    """A kind's score in 0..1: the weight of its cues found, saturating."""
    head = folded[:HEAD_CHARACTERS]
    total = 0.0
    for cue, weight in CUES[kind]:
        if _found(cue, folded):
            total += weight
        elif weight >= FUZZY_WEIGHT:
            similarity = fuzz.partial_ratio(cue, head, score_cutoff=FUZZY_CUTOFF)
            total += weight * similarity / 100
    return min(total / SATURATION, 1.0)


def _found(cue: str, folded: str) -> bool:
    # Short cues ('tva', 'bic', 'rna') must be whole words; phrases may be glued by OCR.
    if len(cue) <= 5:
        return re.search(rf"(?<![a-z]){re.escape(cue)}(?![a-z])", folded) is not None
    return cue in folded or cue.replace(" ", "") in folded.replace(" ", "")


def classify(text: str) -> Classification:
    """The most likely kind; 'unknown' when no kind is convincing."""
    folded = folded_text(text)
    scores = {kind: round(score(kind, folded), 3) for kind in KINDS}
    ranked = sorted(scores.values(), reverse=True)
    best_kind = max(scores, key=scores.__getitem__)
    best, runner_up = ranked[0], ranked[1]
    # A close runner-up lowers the confidence: an energy bill is also a bill.
    confidence = round(max(best - 0.5 * runner_up, 0.0), 3)
    if confidence < CONFIDENCE_FLOOR:
        return Classification("unknown", confidence, scores)
    return Classification(best_kind, confidence, scores)
