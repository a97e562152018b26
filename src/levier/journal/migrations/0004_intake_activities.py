"""Gestes métier of enquiry intake automation (email, threading, grouping, entities, answers).

Like 0003, only missing codes are created, so local adjustments of standard times stay.
"""

import importlib

from django.db import migrations

ACTIVITIES = [
    (
        "receive-email",
        "Accueil et sollicitations",
        "Relever un courriel",
        240,
        True,
        "Lire un courriel reçu dans une boîte fonctionnelle, en recopier le contenu et les pièces "
        "jointes dans l'application.",
    ),
    (
        "thread-message",
        "Accueil et sollicitations",
        "Rattacher une réponse de l'usager",
        90,
        True,
        "Retrouver la sollicitation à laquelle l'usager répond et y ajouter son message.",
    ),
    (
        "group-enquiry",
        "Accueil et sollicitations",
        "Regrouper des demandes en double",
        120,
        True,
        "Repérer qu'un usager écrit une seconde fois sur le même sujet et réunir les messages.",
    ),
    (
        "extract-entities",
        "Accueil et sollicitations",
        "Relever les identifiants d'un message",
        120,
        True,
        "Repérer références de dossier, SIREN, SIRET, NIR, IBAN, montants et dates, les vérifier "
        "et retrouver le dossier ou l'usager correspondant.",
    ),
    (
        "suggest-answer",
        "Accueil et sollicitations",
        "Chercher une réponse type",
        180,
        True,
        "Retrouver une réponse déjà faite à une demande semblable ou un modèle adapté.",
    ),
    (
        "log-contact",
        "Accueil et sollicitations",
        "Tracer un appel ou une visite",
        90,
        False,
        "Noter un échange téléphonique ou au guichet avec l'usager.",
    ),
    (
        "quarantine-message",
        "Accueil et sollicitations",
        "Écarter un message non traitable",
        60,
        True,
        "Mettre de côté un message illisible, trop volumineux, automatique ou en rafale, avec sa "
        "raison, pour un administrateur.",
    ),
    (
        "warn-deadline",
        "Accueil et sollicitations",
        "Surveiller les échéances",
        60,
        True,
        "Repérer les sollicitations proches de leur délai de réponse et prévenir l'équipe.",
    ),
]


def create_activities(apps, schema_editor):
    catalogue = importlib.import_module("levier.journal.migrations.0003_activity_catalogue")
    catalogue.add_missing_activities(apps, ACTIVITIES)


def remove_activities(apps, schema_editor):
    Activity = apps.get_model("journal", "Activity")
    Activity.objects.filter(code__in=[entry[0] for entry in ACTIVITIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("journal", "0003_activity_catalogue")]
    operations = [migrations.RunPython(create_activities, remove_activities)]
