"""The activity catalogue: the gestes métier levier's services journal, with standard times.

The standard time (seconds) is what an agent spends on the geste by hand; it is the
duration journaled when none is measured, and the time saved when a robot does it.
Administrators adjust times and add gestes in the admin; this migration only creates
the codes that are missing, so it never overwrites a local adjustment.
"""

from django.db import migrations

# (code, family, label, standard seconds, can be automated, description)
ACTIVITIES = [
    # Accueil et sollicitations
    (
        "register-enquiry",
        "Accueil et sollicitations",
        "Enregistrer une sollicitation",
        180,
        True,
        "Saisir une demande reçue par courriel, téléphone, guichet ou formulaire et rattacher l'usager.",
    ),
    (
        "classify-enquiry",
        "Accueil et sollicitations",
        "Qualifier une sollicitation",
        60,
        True,
        "Choisir le thème et la priorité d'une sollicitation.",
    ),
    (
        "route-enquiry",
        "Accueil et sollicitations",
        "Orienter une sollicitation",
        45,
        True,
        "Transmettre la sollicitation à l'équipe compétente.",
    ),
    (
        "assign-enquiry",
        "Accueil et sollicitations",
        "Attribuer une sollicitation",
        30,
        True,
        "Confier une sollicitation à un agent de l'équipe.",
    ),
    (
        "answer-enquiry",
        "Accueil et sollicitations",
        "Répondre à une sollicitation",
        420,
        False,
        "Rédiger et envoyer une réponse à l'usager, avec ou sans modèle.",
    ),
    (
        "close-enquiry",
        "Accueil et sollicitations",
        "Clore une sollicitation",
        30,
        True,
        "Clore une sollicitation traitée ou sans suite.",
    ),
    # Instruction des dossiers
    (
        "register-case",
        "Instruction des dossiers",
        "Enregistrer un dossier",
        300,
        True,
        "Créer le dossier, saisir les données déclarées et classer les pièces reçues.",
    ),
    (
        "add-supporting-document",
        "Instruction des dossiers",
        "Joindre une pièce justificative",
        90,
        True,
        "Ajouter au dossier une pièce reçue après le dépôt.",
    ),
    (
        "check-supporting-document",
        "Instruction des dossiers",
        "Contrôler une pièce justificative",
        240,
        True,
        "Vérifier qu'une pièce est lisible, valide et cohérente avec les données déclarées.",
    ),
    (
        "request-missing-documents",
        "Instruction des dossiers",
        "Demander des pièces manquantes",
        300,
        True,
        "Écrire à l'usager pour obtenir les pièces ou informations qui manquent.",
    ),
    (
        "retype-data",
        "Instruction des dossiers",
        "Ressaisir des données dans une autre application",
        600,
        True,
        "Recopier les données d'un dossier dans une application métier sans interface d'échange.",
    ),
    (
        "assign-case",
        "Instruction des dossiers",
        "Attribuer un dossier",
        30,
        True,
        "Confier un dossier à un instructeur de l'équipe.",
    ),
    (
        "change-case-status",
        "Instruction des dossiers",
        "Faire avancer un dossier",
        60,
        False,
        "Passer un dossier à l'étape suivante de son instruction.",
    ),
    (
        "decide-case",
        "Instruction des dossiers",
        "Décider d'un dossier",
        600,
        False,
        "Accorder, refuser ou classer sans suite, en motivant la décision.",
    ),
    (
        "comment-case",
        "Instruction des dossiers",
        "Commenter un dossier",
        60,
        False,
        "Écrire une note interne et solliciter un collègue.",
    ),
    # Courriers et notifications
    (
        "write-letter",
        "Courriers et notifications",
        "Rédiger un courrier",
        900,
        True,
        "Rédiger, mettre en forme et signer un courrier ou une notification de décision.",
    ),
    (
        "generate-document",
        "Courriers et notifications",
        "Produire un document",
        600,
        True,
        "Produire une attestation, un arrêté ou une notification à partir d'un modèle.",
    ),
    (
        "send-email",
        "Courriers et notifications",
        "Envoyer un courriel à l'usager",
        120,
        True,
        "Écrire et envoyer un courriel d'information à l'usager.",
    ),
    (
        "notify",
        "Courriers et notifications",
        "Notifier un agent",
        0,
        True,
        "Avertir un agent d'une attribution ou d'une mention.",
    ),
    # Usagers et données
    (
        "consult-personal-data",
        "Usagers et données",
        "Consulter des données personnelles",
        0,
        False,
        "Lecture de données personnelles, tracée pour le RGPD ; aucun temps compté.",
    ),
    (
        "update-contact",
        "Usagers et données",
        "Mettre à jour une fiche usager",
        120,
        False,
        "Corriger ou compléter l'adresse, les coordonnées ou les identifiants d'un usager.",
    ),
    (
        "verify-identifier",
        "Usagers et données",
        "Vérifier un identifiant",
        180,
        True,
        "Contrôler un SIRET, un IBAN ou un NIR auprès du référentiel qui le tient.",
    ),
    (
        "merge-contacts",
        "Usagers et données",
        "Fusionner des fiches usagers en double",
        300,
        False,
        "Rapprocher deux fiches d'un même usager et les fusionner.",
    ),
    # Échanges avec les partenaires
    (
        "exchange-partner-data",
        "Échanges avec les partenaires",
        "Obtenir des données d'un partenaire",
        600,
        True,
        "Demander et recevoir des données d'une autre administration (« dites-le nous une fois »).",
    ),
    # Paramétrage
    (
        "configure-procedure",
        "Paramétrage",
        "Paramétrer une démarche",
        1800,
        False,
        "Définir ou modifier le formulaire et les règles d'une démarche, puis le publier.",
    ),
]


def create_activities(apps, schema_editor):
    add_missing_activities(apps, ACTIVITIES)


def add_missing_activities(apps, activities):
    """Create the catalogue entries whose code is missing (later catalogue migrations too)."""
    Activity = apps.get_model("journal", "Activity")
    existing = set(Activity.objects.values_list("code", flat=True))
    Activity.objects.bulk_create(
        Activity(
            code=code,
            family=family,
            label=label,
            standard_seconds=seconds,
            automatable=automatable,
            description=description,
        )
        for code, family, label, seconds, automatable, description in activities
        if code not in existing
    )


def remove_activities(apps, schema_editor):
    Activity = apps.get_model("journal", "Activity")
    Activity.objects.filter(code__in=[entry[0] for entry in ACTIVITIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("journal", "0002_append_only_trigger")]
    operations = [migrations.RunPython(create_activities, remove_activities)]
