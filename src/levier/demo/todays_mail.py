"""Today's incoming messages of the demo, written freely (not from the history's templates).

They go through the real intake — emails as MIME bytes through the mailing app, portal
and partner messages through `enquiries.intake.receive` — so the demo shows what
automation did with them: topics with their confidence, rules applied, identifiers
found, replies threaded, repeats grouped, auto-replies ignored, a flood set aside.

Placeholders: {reference} a case of the sender, {amount} its amount, {signature} the
sender's name, {siret} and {iban} the sender's own identifiers when it has them.
"""

from __future__ import annotations

# (channel, subject, body); channel "email", "portal" or "api".
MESSAGES = [
    (
        "email",
        "Toujours rien reçu",
        "Bonjour,\n\nCela fait maintenant deux mois que ma demande {reference} a été acceptée et "
        "le virement de {amount} n'est jamais arrivé sur mon compte {iban}. Pouvez-vous relancer "
        "le service comptable ?\n\nMerci,\n{signature}\n\n-- \n{signature}\nEnvoyé depuis mon mobile",
    ),
    (
        "email",
        "Question sur l'avis d'imposition",
        "Bonjour,\n\nPour le dossier {reference}, vous me demandez mon avis d'imposition 2025. "
        "Je ne l'ai pas encore reçu, puis-je envoyer celui de 2024 en attendant ?\n\n"
        "Bien cordialement,\n{signature}",
    ),
    (
        "email",
        "Menace d'expulsion",
        "Madame, Monsieur,\n\nJe dois quitter mon logement le 15 décembre 2026 suite à une "
        "procédure d'expulsion. Mon dossier {reference} est-il toujours en cours ? J'ai besoin "
        "d'une réponse rapide, vous pouvez m'appeler au 06 39 98 12 34.\n\n{signature}",
    ),
    (
        "email",
        "Changement de banque",
        "Bonjour,\n\nJe viens d'ouvrir un compte dans une nouvelle banque. Voici mon nouvel IBAN : "
        "{iban}. Merci de le prendre en compte pour les prochains versements du dossier "
        "{reference}.\n\n{signature}",
    ),
    (
        "email",
        "Rendez-vous",
        "Bonjour,\n\nEst-il possible de venir vous voir jeudi matin pour parler de ma situation ? "
        "Je ne sais pas si je dois refaire une demande.\n\n{signature}",
    ),
    (
        "email",
        "Pièce jointe : justificatif de domicile",
        "Bonjour,\n\nComme demandé par votre collègue au téléphone, je vous transmets une "
        "attestation de domicile pour compléter le dossier {reference}.\n\nCordialement,\n{signature}",
    ),
    (
        "email",
        "Réclamation",
        "Madame, Monsieur,\n\nJe conteste fermement le refus opposé à mon dossier {reference}. "
        "Mes revenus sont inférieurs au plafond et j'ai fourni toutes les pièces. Je demande un "
        "recours gracieux.\n\nVeuillez agréer mes salutations,\n{signature}",
    ),
    (
        "email",
        "Bonjour",
        "Bonjour, je voulais savoir comment ça se passe pour la suite. Merci. {signature}",
    ),
    (
        "portal",
        "Délai d'instruction",
        "Bonjour, j'ai déposé le dossier {reference} le mois dernier, combien de temps faut-il "
        "compter avant une décision ? Merci. {signature}",
    ),
    (
        "portal",
        "Aide cumulable ?",
        "Bonjour,\n\nJe touche déjà l'APL. Puis-je quand même déposer une demande d'aide au "
        "logement auprès de vous ?\n\n{signature}",
    ),
    (
        "portal",
        "Montant plus faible que prévu",
        "Bonjour,\n\nJ'ai reçu {amount} alors que le courrier du 3 novembre 2026 annonçait un "
        "montant plus élevé. Pouvez-vous vérifier le calcul du dossier {reference} ?\n\n{signature}",
    ),
    (
        "portal",
        "Document refusé par le site",
        "Bonjour, le formulaire refuse ma photo de bail, le fichier est trop lourd. Comment faire "
        "pour l'envoyer ? {signature}",
    ),
    (
        "api",
        "Demande d'information aide aux entreprises",
        "Bonjour,\n\nNotre entreprise (SIRET {siret}) souhaite savoir si elle est éligible à "
        "l'aide pour un projet d'investissement de 45 000 € prévu en mars 2027.\n\n{signature}",
    ),
    (
        "api",
        "Suivi du dossier {reference}",
        "Bonjour,\n\nL'entreprise {signature} (SIRET {siret}) n'a pas de nouvelles de son dossier "
        "{reference} déposé il y a six semaines. Pouvez-vous nous indiquer son état ?\n\n"
        "Conseiller France Services",
    ),
    (
        "api",
        "Coupure d'électricité et dossier en attente",
        "Bonjour,\n\nL'usager reçu ce jour à l'accueil France Services signale une coupure "
        "d'électricité imminente ; son dossier {reference} est en attente. Merci de le traiter "
        "en priorité.\n\nConseiller France Services",
    ),
]

# A usager who writes twice about the same thing, the second time a few hours later.
REPEAT = (
    "email",
    "Toujours pas de versement pour mon aide",
    "Bonjour,\n\nJe reviens vers vous car le versement de mon aide ({reference}) n'est "
    "toujours pas arrivé. Merci de me tenir informé.\n\n{signature}",
)

AUTO_REPLY = (
    "Réponse automatique : absence du bureau",
    "Je suis absent jusqu'au 2 décembre 2026 et n'aurai pas accès à mes courriels.",
)

HTML_ONLY = (
    "Demande de renseignements",
    "<html><body><p>Bonjour,</p><p>Je souhaiterais connaître les <b>conditions</b> pour "
    "bénéficier de l'aide au logement dans le département du Rhône.</p>"
    "<p>Cordialement,<br>{signature}</p></body></html>",
)

FLOOD_SUBJECT = "URGENT URGENT"
FLOOD_BODY = "Répondez-moi !!! {signature}"
FLOOD_COUNT = 12
