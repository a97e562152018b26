"""Demo automation: routing rules, deadlines and answer templates an administrator would set.

Created once (looked up by name), so a second `levier seed` changes nothing.
"""

from __future__ import annotations

from levier.enquiries.models import AnswerTemplate, Priority, RoutingRule, SlaPolicy

from .setup import DemoSetup

# (name, position, conditions, team slug, priority)
ROUTING_RULES = [
    (
        "Situations d'urgence signalées",
        10,
        {"keywords": "expulsion\ncoupure d'électricité\nsans logement\nà la rue\nurgence absolue"},
        "accueil-usagers",
        Priority.URGENT,
    ),
    (
        "Entreprises : aides aux entreprises",
        20,
        {"contact_kind": "company"},
        "instruction-entreprises",
        None,
    ),
    (
        "Pièces justificatives : instruction logement",
        30,
        {"topic": "pieces-justificatives"},
        "instruction-logement",
        None,
    ),
    # Last: what no rule and no confident topic places goes to the front office.
    ("Tout le reste : accueil usagers", 1000, {}, "accueil-usagers", None),
]

# (team slug, topic slug or None, business hours, warning hours)
SLA_POLICIES = [
    ("accueil-usagers", None, 16, 4),
    ("accueil-usagers", "reclamation", 40, 8),
    ("instruction-logement", None, 24, 6),
    ("instruction-entreprises", None, 24, 6),
]

# (title, topic slug or None, body)
ANSWER_TEMPLATES = [
    (
        "Dossier en cours d'instruction",
        "suivi-de-dossier",
        "Bonjour {{ usager.nom_complet }},\n\n"
        "Votre demande {{ sollicitation.reference }} a bien été transmise au service instructeur. "
        "Votre dossier est en cours d'examen : vous recevrez la décision par courriel dès "
        "qu'elle sera prise.\n\n"
        "Cordialement,\n{{ agent.prenom }} {{ agent.nom }}\n{{ equipe.nom }}",
    ),
    (
        "Versement : délai de paiement",
        "paiement",
        "Bonjour {{ usager.nom_complet }},\n\n"
        "Le versement de votre aide a été ordonné. Il apparaîtra sur votre compte sous "
        "10 jours ouvrés. Si vous avez changé de banque, déposez votre nouveau RIB depuis "
        "« Suivre mon dossier ».\n\n"
        "Cordialement,\n{{ agent.prenom }} {{ agent.nom }}\n{{ equipe.nom }}",
    ),
    (
        "Pièce reçue, dossier complété",
        "pieces-justificatives",
        "Bonjour {{ usager.nom_complet }},\n\n"
        "Nous avons bien reçu la pièce que vous nous avez transmise ; elle a été ajoutée à "
        "votre dossier. Nous reviendrons vers vous si un autre document est nécessaire.\n\n"
        "Cordialement,\n{{ agent.prenom }} {{ agent.nom }}\n{{ equipe.nom }}",
    ),
    (
        "Accusé de réception d'une réclamation",
        "reclamation",
        "Bonjour {{ usager.nom_complet }},\n\n"
        "Votre réclamation {{ sollicitation.reference }} du {{ sollicitation.date }} a été "
        "transmise au responsable du service, qui réexaminera votre demande. Vous recevrez "
        "une réponse écrite avant le {{ sollicitation.echeance }}.\n\n"
        "Cordialement,\n{{ agent.prenom }} {{ agent.nom }}\n{{ equipe.nom }}",
    ),
    (
        "Horaires et rendez-vous",
        "information-generale",
        "Bonjour {{ usager.nom_complet }},\n\n"
        "L'accueil est ouvert du lundi au vendredi de 9 h à 12 h 30 et de 13 h 30 à 17 h, "
        "sur rendez-vous l'après-midi. Vous pouvez aussi nous écrire depuis le portail.\n\n"
        "Cordialement,\n{{ agent.prenom }} {{ agent.nom }}\n{{ equipe.nom }}",
    ),
]


def ensure_automation(setup: DemoSetup) -> None:
    """Routing rules, answer deadlines and answer templates of the demo administration."""
    for name, position, conditions, team_slug, priority in ROUTING_RULES:
        fields = dict(conditions)
        if "topic" in fields:
            fields["topic"] = setup.topics[fields["topic"]]
        RoutingRule.objects.get_or_create(
            name=name,
            defaults={
                "position": position,
                "team": setup.teams[team_slug],
                "set_priority": priority,
                **fields,
            },
        )
    for team_slug, topic_slug, hours, warning in SLA_POLICIES:
        SlaPolicy.objects.get_or_create(
            team=setup.teams[team_slug],
            topic=setup.topics[topic_slug] if topic_slug else None,
            defaults={"business_hours": hours, "warning_hours": warning},
        )
    for title, topic_slug, body in ANSWER_TEMPLATES:
        AnswerTemplate.objects.get_or_create(
            title=title,
            defaults={"topic": setup.topics[topic_slug] if topic_slug else None, "body": body},
        )
