"""Demo campaign: a draft reminder of missing documents on the housing procedure.

`ensure_demo_campaign(setup)` is idempotent: a campaign already there is left alone.
"""

from __future__ import annotations

from levier.cases.models import CaseStatus

from . import services
from .models import Campaign

DEMO_PROCEDURE = "aide-logement"
DEMO_NAME = "Relance des pièces manquantes"
DEMO_SUBJECT = "Dossier {{ dossier.reference }} : des pièces manquent encore"
DEMO_BODY = """{% if usager.civilite %}{{ usager.civilite }}{% else %}Madame, Monsieur{% endif %},

Votre dossier {{ dossier.reference }} ({{ dossier.demarche }}) est en attente de pièces justificatives.
Pour que nous puissions l'instruire, merci de nous transmettre :
{% for piece in dossier.pieces_manquantes %}{% if piece.obligatoire %}
- {{ piece.libelle }}{% endif %}{% endfor %}

Vous pouvez répondre à ce message en joignant les pièces, ou suivre votre dossier en ligne.

{{ equipe.nom }}
{{ organisation.nom }}
"""


def ensure_demo_campaign(setup) -> Campaign | None:
    """The draft reminder campaign, mandatory (information on the usager's own case)."""
    procedure = setup.procedures.get(DEMO_PROCEDURE)
    if procedure is None:
        return None
    existing = Campaign.objects.filter(procedure=procedure, name=DEMO_NAME).first()
    if existing is not None:
        return existing
    lead = setup.leads.get(procedure.team_id)
    if lead is None:
        return None
    return services.campaign_create(
        actor=lead,
        name=DEMO_NAME,
        procedure=procedure,
        subject=DEMO_SUBJECT,
        body=DEMO_BODY,
        case_statuses=[CaseStatus.WAITING_FOR_USAGER],
        only_missing_documents=True,
        mandatory=True,
        per_minute=60,
    )
