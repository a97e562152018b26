"""Gestes métier of controls: rules, atypical declarations, controls and friendly letters.

`check-supporting-document` already exists (0003). Like 0003, only missing codes are
created, so local adjustments of standard times stay.
"""

import importlib

from django.db import migrations

ACTIVITIES = [
    (
        "apply-control-rules",
        "Contrôle",
        "Vérifier un dossier selon les règles",
        300,
        True,
        "Vérifier plafonds, cohérence des montants et des dates, pièces exigées selon la "
        "situation, et rechercher un IBAN ou une pièce déjà vus sur d'autres dossiers.",
    ),
    (
        "select-cases-for-control",
        "Contrôle",
        "Sélectionner les dossiers à contrôler",
        240,
        True,
        "Parcourir les déclarations d'une démarche pour repérer celles qui sortent de l'ordinaire "
        "par rapport à des dossiers comparables.",
    ),
    (
        "control-case",
        "Contrôle",
        "Contrôler un dossier",
        1800,
        False,
        "Examiner un dossier signalé, confronter déclaration et pièces, conclure (irrégularité "
        "confirmée, non confirmée, erreur de bonne foi).",
    ),
    (
        "send-advice-letter",
        "Contrôle",
        "Inviter l'usager à corriger sa déclaration",
        600,
        False,
        "Écrire à l'usager, au titre du droit à l'erreur, pour l'inviter à rectifier une "
        "déclaration plutôt que d'ouvrir un contrôle.",
    ),
]


def create_activities(apps, schema_editor):
    catalogue = importlib.import_module("levier.journal.migrations.0003_activity_catalogue")
    catalogue.add_missing_activities(apps, ACTIVITIES)


def remove_activities(apps, schema_editor):
    Activity = apps.get_model("journal", "Activity")
    Activity.objects.filter(code__in=[entry[0] for entry in ACTIVITIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("journal", "0004_intake_activities")]
    operations = [migrations.RunPython(create_activities, remove_activities)]
