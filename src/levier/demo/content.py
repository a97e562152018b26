"""What the demo administration is made of: teams, logins, procedures, topics, texts.

Field schemas follow `levier.cases.schema` (keys name, label, type, required, help,
choices, min, max). Message and comment templates are the kind of French an
usager or an instructeur actually writes.
"""

from __future__ import annotations

ORGANISATION = {
    "name": "Direction de démonstration levier",
    "address": "1 place de la République\n69001 Lyon",
    "email": "contact@levier-demo.example",
    "signatory": "La directrice, Anne-Sophie Caron",
}

TEAMS = [
    {
        "slug": "instruction-entreprises",
        "name": "Instruction — Entreprises",
        "email": "entreprises@levier-demo.example",
    },
    {
        "slug": "instruction-logement",
        "name": "Instruction — Logement",
        "email": "logement@levier-demo.example",
    },
    {"slug": "accueil-usagers", "name": "Accueil usagers", "email": "accueil@levier-demo.example"},
]

# Demo logins, all with the shared demo password printed by `levier seed`.
ACCOUNTS = [
    {
        "username": "agent.entreprises",
        "first_name": "Camille",
        "last_name": "Roussel",
        "role": "agent",
        "teams": ["instruction-entreprises"],
    },
    {
        "username": "agent.logement",
        "first_name": "Karim",
        "last_name": "Benali",
        "role": "agent",
        "teams": ["instruction-logement"],
    },
    {
        "username": "agent.accueil",
        "first_name": "Léa",
        "last_name": "Fontaine",
        "role": "agent",
        "teams": ["accueil-usagers"],
    },
    {
        "username": "cheffe.equipe",
        "first_name": "Sophie",
        "last_name": "Marchand",
        "role": "team_lead",
        "teams": ["instruction-entreprises", "instruction-logement", "accueil-usagers"],
    },
    {
        "username": "manager",
        "first_name": "Olivier",
        "last_name": "Lacroix",
        "role": "manager",
        "teams": [],
    },
    {
        "username": "admin",
        "first_name": "Nadia",
        "last_name": "Mansouri",
        "role": "administrator",
        "teams": [],
        "is_staff": True,
        "is_superuser": True,
    },
    {
        # Délégué à la protection des données: who read each usager's data, nothing else.
        "username": "dpd",
        "first_name": "Hélène",
        "last_name": "Moreau",
        "role": "dpo",
        "teams": [],
    },
]

# Colleagues who share the work of each team (no password: they never log in to the demo).
COLLEAGUES = {
    "instruction-entreprises": [
        ("Julien", "Lefebvre"),
        ("Amandine", "Girard"),
        ("Thomas", "Nguyen"),
        ("Sandrine", "Perrin"),
        ("Mehdi", "Haddad"),
        ("Claire", "Dumas"),
    ],
    "instruction-logement": [
        ("Isabelle", "Morel"),
        ("Antoine", "Baron"),
        ("Fatima", "Diallo"),
        ("Nicolas", "Huet"),
        ("Aurélie", "Collet"),
        ("Pascal", "Riou"),
        ("Inès", "Fabre"),
    ],
    # Five or more: insights show no figure about a team of fewer than 5 agents.
    "accueil-usagers": [
        ("Manon", "Giraud"),
        ("Yannick", "Le Goff"),
        ("Sabrina", "Benard"),
        ("Karim", "Benali"),
        ("Lucie", "Marchand"),
    ],
}

APE_SCHEMA = [
    {
        "name": "siret",
        "label": "Numéro SIRET de l'établissement",
        "type": "siret",
        "required": True,
        "help": "14 chiffres, inscrit sur l'extrait Kbis ou l'avis de situation Insee.",
    },
    {
        "name": "company_created_on",
        "label": "Date de création de l'entreprise",
        "type": "date",
        "required": True,
    },
    {
        "name": "headcount",
        "label": "Effectif salarié (équivalent temps plein)",
        "type": "number",
        "required": True,
        "min": 0,
        "max": 49,
        "help": "L'aide est réservée aux entreprises de moins de 50 salariés.",
    },
    {
        "name": "turnover",
        "label": "Chiffre d'affaires du dernier exercice clos",
        "type": "money",
        "required": True,
        "min": 0,
        "max": 10000000,
    },
    {
        "name": "project_category",
        "label": "Nature du projet",
        "type": "choice",
        "required": True,
        "choices": [
            "Investissement matériel",
            "Travaux d'aménagement du local",
            "Transition écologique",
            "Numérique et site internet",
            "Reprise d'entreprise",
        ],
    },
    {
        "name": "project_description",
        "label": "Description du projet",
        "type": "text",
        "required": True,
        "help": "Ce que vous allez faire, pourquoi, et le calendrier prévu.",
    },
    {
        "name": "project_cost",
        "label": "Coût total du projet (HT)",
        "type": "money",
        "required": True,
        "min": 1000,
        "max": 500000,
        "help": "Le montant hors taxes du devis ou de la facture joints.",
    },
    {
        "name": "amount_requested",
        "label": "Montant de l'aide sollicitée",
        "type": "money",
        "required": True,
        "min": 500,
        "max": 15000,
        "help": "Au plus 50 % du coût HT du projet, dans la limite de 15 000 €.",
    },
    {"name": "iban", "label": "IBAN du compte de l'entreprise", "type": "iban", "required": True},
    {
        "name": "contact_phone",
        "label": "Téléphone du dirigeant",
        "type": "phone",
        "required": False,
    },
    {
        "name": "kbis",
        "label": "Extrait Kbis de moins de trois mois",
        "type": "file",
        "required": True,
    },
    {"name": "invoice", "label": "Devis ou facture du projet", "type": "file", "required": True},
]

LOGEMENT_SCHEMA = [
    {
        "name": "nir",
        "label": "Numéro de sécurité sociale du demandeur",
        "type": "nir",
        "required": True,
    },
    {
        "name": "household_size",
        "label": "Nombre de personnes vivant au foyer",
        "type": "number",
        "required": True,
        "min": 1,
        "max": 12,
    },
    {
        "name": "reference_tax_income",
        "label": "Revenu fiscal de référence",
        "type": "money",
        "required": True,
        "min": 0,
        "max": 200000,
        "help": "Sur votre dernier avis d'impôt sur le revenu, en première page.",
    },
    {
        "name": "housing_type",
        "label": "Type de logement",
        "type": "choice",
        "required": True,
        "choices": [
            "Logement social (HLM)",
            "Logement du parc privé",
            "Foyer ou résidence sociale",
        ],
    },
    {"name": "landlord", "label": "Nom du bailleur", "type": "text", "required": True},
    {
        "name": "lease_start",
        "label": "Date d'entrée dans le logement",
        "type": "date",
        "required": True,
    },
    {
        "name": "monthly_rent",
        "label": "Loyer mensuel hors charges",
        "type": "money",
        "required": True,
        "min": 50,
        "max": 3000,
    },
    {
        "name": "monthly_charges",
        "label": "Charges mensuelles",
        "type": "money",
        "required": False,
        "min": 0,
        "max": 1000,
    },
    {
        "name": "iban",
        "label": "IBAN du compte sur lequel verser l'aide",
        "type": "iban",
        "required": True,
    },
    {
        "name": "tax_notice",
        "label": "Dernier avis d'impôt sur le revenu",
        "type": "file",
        "required": True,
    },
    {
        "name": "rent_receipt",
        "label": "Dernière quittance de loyer",
        "type": "file",
        "required": False,
    },
]

ASSOCIATION_SCHEMA = [
    {
        "name": "rna",
        "label": "Numéro RNA de l'association",
        "type": "text",
        "required": True,
        "help": "La lettre W suivie de 9 caractères, sur le récépissé de déclaration en préfecture.",
    },
    {"name": "siret", "label": "SIRET de l'association", "type": "siret", "required": True},
    {
        "name": "members",
        "label": "Nombre d'adhérents",
        "type": "number",
        "required": True,
        "min": 0,
        "max": 100000,
    },
    {"name": "project_title", "label": "Intitulé du projet", "type": "text", "required": True},
    {
        "name": "project_description",
        "label": "Présentation du projet",
        "type": "text",
        "required": True,
        "help": "Objectifs, public visé, actions prévues et calendrier.",
    },
    {
        "name": "audience",
        "label": "Public principalement visé",
        "type": "choice",
        "required": True,
        "choices": [
            "Jeunesse",
            "Familles",
            "Seniors",
            "Personnes en situation de handicap",
            "Tout public",
        ],
    },
    {
        "name": "project_budget",
        "label": "Budget prévisionnel total du projet",
        "type": "money",
        "required": True,
        "min": 500,
        "max": 1000000,
    },
    {
        "name": "amount_requested",
        "label": "Montant de la subvention demandée",
        "type": "money",
        "required": True,
        "min": 200,
        "max": 50000,
    },
    {
        "name": "other_funding",
        "label": "Autres financements publics obtenus",
        "type": "money",
        "required": False,
        "min": 0,
    },
    {"name": "iban", "label": "IBAN de l'association", "type": "iban", "required": True},
    {"name": "budget_file", "label": "Budget prévisionnel signé", "type": "file", "required": True},
    {"name": "statutes", "label": "Statuts de l'association", "type": "file", "required": False},
]

PROCEDURES = [
    {
        "slug": "aide-petites-entreprises",
        "name": "Aide aux petites entreprises",
        "description": "Subvention à l'investissement des entreprises de moins de 50 salariés : matériel, "
        "travaux, transition écologique, numérique. Jusqu'à 50 % du projet, 15 000 € au plus.",
        "reference_prefix": "APE",
        "team": "instruction-entreprises",
        "instruction_days": 45,
        "field_schema": APE_SCHEMA,
        "contact_kind": "entreprise",
        "weight": 35,
    },
    {
        "slug": "aide-logement",
        "name": "Aide au logement",
        "description": "Aide mensuelle au paiement du loyer, calculée sur les ressources du foyer "
        "(revenu fiscal de référence) et le nombre de personnes qui y vivent.",
        "reference_prefix": "LOG",
        "team": "instruction-logement",
        "instruction_days": 30,
        "field_schema": LOGEMENT_SCHEMA,
        "contact_kind": "person",
        "weight": 50,
    },
    {
        "slug": "subvention-associations",
        "name": "Subvention aux associations",
        "description": "Soutien aux projets des associations locales : sport, culture, solidarité, jeunesse.",
        "reference_prefix": "ASSO",
        "team": "instruction-entreprises",
        "instruction_days": 60,
        "field_schema": ASSOCIATION_SCHEMA,
        "contact_kind": "association",
        "weight": 15,
    },
]

TOPICS = [
    {
        "slug": "suivi-de-dossier",
        "label": "Suivi de dossier",
        "team": "accueil-usagers",
        "sla_hours": 16,
        "weight": 35,
    },
    {
        "slug": "paiement",
        "label": "Paiement",
        "team": "accueil-usagers",
        "sla_hours": 16,
        "weight": 15,
    },
    {
        "slug": "pieces-justificatives",
        "label": "Pièces justificatives",
        "team": "instruction-logement",
        "sla_hours": 24,
        "weight": 20,
    },
    {
        "slug": "reclamation",
        "label": "Réclamation",
        "team": "accueil-usagers",
        "sla_hours": 40,
        "weight": 10,
    },
    {
        "slug": "information-generale",
        "label": "Information générale",
        "team": "accueil-usagers",
        "sla_hours": 24,
        "weight": 20,
    },
]

# Subject and first message of an enquiry, per topic. {reference} is a case of the usager,
# {procedure} its procedure, {amount} an amount; {signature} the usager's name.
ENQUIRY_TEMPLATES = {
    "suivi-de-dossier": [
        (
            "Où en est mon dossier {reference} ?",
            "Bonjour,\n\nJ'ai déposé mon dossier {reference} ({procedure}) il y a plusieurs semaines et je n'ai "
            "pas de nouvelles. Pouvez-vous me dire où en est son instruction ?\n\nCordialement,\n{signature}",
        ),
        (
            "Délai de traitement de ma demande",
            "Bonjour,\n\nPourriez-vous m'indiquer dans quel délai ma demande {reference} sera traitée ? "
            "Ma situation est urgente.\n\nMerci d'avance,\n{signature}",
        ),
        (
            "Demande de rendez-vous pour mon dossier",
            "Madame, Monsieur,\n\nJe souhaiterais rencontrer un agent pour faire le point sur mon dossier "
            "{reference}. Quels sont vos horaires d'accueil ?\n\nBien à vous,\n{signature}",
        ),
    ],
    "paiement": [
        (
            "Versement de l'aide non reçu",
            "Bonjour,\n\nMon dossier {reference} a été accepté mais je n'ai toujours pas reçu le versement de "
            "{amount}. Pouvez-vous vérifier ?\n\nCordialement,\n{signature}",
        ),
        (
            "Changement de coordonnées bancaires",
            "Bonjour,\n\nJ'ai changé de banque. Comment vous transmettre mon nouveau RIB pour le dossier "
            "{reference} ?\n\nMerci,\n{signature}",
        ),
        (
            "Montant versé différent",
            "Bonjour,\n\nLe montant versé ne correspond pas à celui indiqué dans le courrier de décision "
            "({amount}). Pouvez-vous m'expliquer ?\n\n{signature}",
        ),
    ],
    "pieces-justificatives": [
        (
            "Envoi d'une pièce manquante",
            "Bonjour,\n\nVous trouverez ci-joint l'avis d'imposition demandé pour compléter mon dossier "
            "{reference}.\n\nCordialement,\n{signature}",
        ),
        (
            "Quelle pièce fournir ?",
            "Bonjour,\n\nJe ne comprends pas quelle pièce vous me demandez pour le dossier {reference}. "
            "Un bail suffit-il à la place d'une quittance ?\n\n{signature}",
        ),
        (
            "Impossible de déposer un document",
            "Bonjour,\n\nLe site refuse mon fichier (photo prise avec mon téléphone). Puis-je vous l'envoyer "
            "par courriel ?\n\nMerci,\n{signature}",
        ),
    ],
    "reclamation": [
        (
            "Contestation de la décision de refus",
            "Madame, Monsieur,\n\nJe conteste la décision de refus de mon dossier {reference}. Les éléments "
            "fournis montrent que je remplis les conditions. Je vous demande de réexaminer ma demande.\n\n"
            "Veuillez agréer mes salutations distinguées,\n{signature}",
        ),
        (
            "Aucune réponse malgré mes relances",
            "Bonjour,\n\nC'est la troisième fois que je vous écris au sujet du dossier {reference}, sans "
            "réponse. Je trouve cela inadmissible.\n\n{signature}",
        ),
    ],
    "information-generale": [
        (
            "Conditions pour bénéficier de l'aide",
            "Bonjour,\n\nJe voudrais savoir si je peux bénéficier de l'{procedure_lower}. Quelles sont les "
            "conditions et les pièces à fournir ?\n\nCordialement,\n{signature}",
        ),
        (
            "Horaires d'ouverture de l'accueil",
            "Bonjour,\n\nQuels sont vos horaires d'ouverture au public ? Faut-il prendre rendez-vous ?\n\n"
            "Merci,\n{signature}",
        ),
        (
            "Cumul avec une autre aide",
            "Bonjour,\n\nL'{procedure_lower} est-elle cumulable avec les aides de la CAF ou de la Région ?\n\n"
            "Bien cordialement,\n{signature}",
        ),
    ],
}

# Folded words that make agents rate a message as pressing.
PRESSING_WORDS = ("urgent", "inadmissible", "troisieme fois", "sans reponse", "conteste")

AGENT_REPLIES = [
    "Bonjour,\n\nNous avons bien reçu votre message. Votre dossier est en cours d'instruction ; vous "
    "recevrez une réponse par courriel dès qu'une décision sera prise.\n\nCordialement,\n{agent}\n{team}",
    "Bonjour,\n\nPour compléter votre dossier, merci de déposer la pièce demandée depuis votre espace, "
    "rubrique « Suivre mon dossier », avec votre référence et votre code de suivi.\n\nCordialement,\n{agent}\n{team}",
    "Bonjour,\n\nLe versement a été ordonné ; il apparaîtra sur votre compte sous 10 jours ouvrés.\n\n"
    "Cordialement,\n{agent}\n{team}",
    "Bonjour,\n\nL'accueil est ouvert du lundi au vendredi de 9 h à 12 h et de 13 h 30 à 16 h 30, "
    "sur rendez-vous l'après-midi.\n\nCordialement,\n{agent}\n{team}",
    "Bonjour,\n\nVotre réclamation a été transmise au service instructeur, qui réexaminera votre demande "
    "et vous répondra par écrit.\n\nCordialement,\n{agent}\n{team}",
]

USAGER_FOLLOW_UPS = [
    "Merci pour votre réponse. J'ai déposé le document ce matin.\n\n{signature}",
    "Bonjour, je n'ai toujours rien reçu. Pouvez-vous vérifier ?\n\n{signature}",
    "Merci beaucoup, c'est très clair.\n\n{signature}",
]

# Internal comments; @{colleague} names a teammate.
COMMENTS = [
    "Avis d'imposition illisible en page 2, j'ai demandé une nouvelle copie à l'usager.",
    "Le montant du devis ne correspond pas au coût déclaré, à vérifier avant décision.",
    "@{colleague} peux-tu regarder ce dossier ? L'entreprise a déjà bénéficié de l'aide en 2023.",
    "RIB vérifié, conforme au titulaire du dossier.",
    "Dossier complet, je propose un accord au montant demandé.",
    "L'usager a appelé : il envoie la quittance manquante cette semaine.",
    "@{colleague} pour info, même adresse qu'un autre dossier en cours — doublon possible ?",
    "Plafond de ressources dépassé d'environ 4 %, refus à motiver.",
    "Kbis de plus de trois mois, mais SIRET vérifié auprès de l'Insee : on peut avancer.",
]

REFUSAL_REASONS = {
    "aide-petites-entreprises": [
        "L'effectif de l'entreprise dépasse le plafond de 49 salariés.",
        "Le projet a commencé avant le dépôt de la demande.",
        "Les dépenses présentées ne sont pas éligibles (véhicule de tourisme).",
    ],
    "aide-logement": [
        "Les ressources du foyer dépassent le plafond applicable à sa composition.",
        "Le logement ne constitue pas votre résidence principale.",
        "Le loyer déclaré ne correspond pas à la quittance fournie.",
    ],
    "subvention-associations": [
        "Le projet ne relève pas des priorités de l'appel à projets.",
        "L'association n'a pas transmis le compte rendu de la subvention précédente.",
        "L'enveloppe annuelle est épuisée.",
    ],
}

PROJECTS = {
    "aide-petites-entreprises": {
        "Investissement matériel": [
            "Achat d'un four à sole et d'un pétrin pour augmenter la production.",
            "Remplacement de la chambre froide et du matériel de cuisine.",
            "Acquisition d'une machine d'usinage à commande numérique.",
        ],
        "Travaux d'aménagement du local": [
            "Mise aux normes d'accessibilité de la boutique et réfection de la vitrine.",
            "Aménagement d'une salle de restauration supplémentaire de 20 couverts.",
        ],
        "Transition écologique": [
            "Installation d'une pompe à chaleur et isolation des combles de l'atelier.",
            "Achat d'un véhicule utilitaire électrique pour les livraisons.",
            "Pose de panneaux photovoltaïques en autoconsommation.",
        ],
        "Numérique et site internet": [
            "Création d'un site de vente en ligne avec paiement et retrait en magasin.",
            "Logiciel de caisse et de gestion des stocks, formation du personnel.",
        ],
        "Reprise d'entreprise": [
            "Reprise du fonds de commerce du cédant partant à la retraite et rachat du matériel.",
        ],
    },
    "subvention-associations": [
        (
            "Fête de quartier",
            "Organisation d'une fête de quartier avec animations pour les enfants et repas partagé.",
        ),
        (
            "École de sport",
            "Accueil de jeunes de 6 à 14 ans deux mercredis par mois, encadrés par des éducateurs diplômés.",
        ),
        (
            "Festival de théâtre amateur",
            "Trois jours de représentations gratuites en plein air, avec des ateliers ouverts à tous.",
        ),
        (
            "Aide aux devoirs",
            "Accompagnement scolaire quatre soirs par semaine par des bénévoles formés.",
        ),
        (
            "Jardin partagé",
            "Création de vingt parcelles cultivées collectivement et d'un composteur de quartier.",
        ),
        (
            "Sorties seniors",
            "Sorties culturelles mensuelles pour les personnes âgées isolées, transport compris.",
        ),
        (
            "Épicerie solidaire",
            "Achat d'une chambre froide pour distribuer des produits frais aux familles bénéficiaires.",
        ),
    ],
}
