"""The enquiry classifier: French normalisation, real training, held-out scores, the command."""

from __future__ import annotations

import io
import random
import re

import joblib
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from levier.enquiries import classification
from levier.enquiries.classification import (
    EnquiryClassifier,
    NotEnoughData,
    Prediction,
    evaluate,
    tokens,
    train,
)
from levier.enquiries.models import Priority
from levier.journal.models import Event

from ..factories import EnquiryFactory, MessageFactory

# Four topics, each with sentences usagers write about it; a message is two of them between
# a greeting and a closing, so that no two messages are the same text.
SENTENCES = {
    "paiement": [
        "Je n'ai toujours pas reçu le versement de l'aide sur mon compte.",
        "Le montant versé ne correspond pas à celui de la décision.",
        "J'ai changé de banque, voici mon nouveau RIB pour les prochains paiements.",
        "Le virement annoncé le mois dernier n'est jamais arrivé.",
        "Pouvez-vous vérifier la date du prochain paiement ?",
        "On m'a versé 300 euros de moins que prévu.",
    ],
    "pieces-justificatives": [
        "Vous trouverez ci-joint l'avis d'imposition qui manquait à mon dossier.",
        "Quelle pièce justificative dois-je fournir pour prouver mon domicile ?",
        "Le site refuse mon document scanné, il serait trop lourd.",
        "Une quittance de loyer suffit-elle à la place du bail ?",
        "Je vous envoie la copie de ma carte d'identité demandée.",
        "Mon justificatif de domicile est-il accepté s'il date de quatre mois ?",
    ],
    "reclamation": [
        "Je conteste la décision de refus qui m'a été notifiée.",
        "C'est inadmissible, personne ne répond à mes relances depuis des semaines.",
        "Je demande le réexamen de ma demande, je remplis toutes les conditions.",
        "Je souhaite déposer une réclamation contre le traitement de mon dossier.",
        "Votre service a commis une erreur et je veux un recours.",
        "Je suis mécontent de l'accueil reçu et je porte plainte.",
    ],
    "horaires": [
        "Quels sont vos horaires d'ouverture au public ?",
        "Faut-il prendre rendez-vous pour venir à l'accueil ?",
        "Êtes-vous ouverts le samedi matin ?",
        "À quelle heure ferme le guichet le vendredi ?",
        "L'accueil est-il fermé pendant les vacances d'été ?",
        "Peut-on venir sans rendez-vous l'après-midi ?",
    ],
}
GREETINGS = ["Bonjour,", "Madame, Monsieur,", "Bonjour madame,", "Bonsoir,", ""]
CLOSINGS = ["Cordialement.", "Merci d'avance.", "Bien à vous.", "Salutations distinguées.", ""]


def french_messages(per_topic: int = 15, seed: int = 7) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for topic, sentences in SENTENCES.items():
        pairs = [(a, b) for a in sentences for b in sentences if a != b]
        for first, second in rng.sample(pairs, per_topic):
            texts.append(f"{rng.choice(GREETINGS)} {first} {second} {rng.choice(CLOSINGS)}")
            labels.append(topic)
    return texts, labels


@pytest.fixture(scope="module")
def model():
    return train(*french_messages())


def test_tokens_drop_stop_words_and_politeness_and_stem_to_folded_roots():
    assert tokens("Bonjour, je n'ai pas reçu le versement de l'aide. Cordialement") == [
        "recu",
        "vers",
        "aid",
    ]
    # Inflections share a stem; accents and case do not matter.
    assert tokens("Versement")[0] == tokens("versements")[0] == tokens("versé")[0]
    assert tokens("DÉPOSÉE déposer dépôt")[:2] == ["depos", "depos"]
    assert tokens("SOL-2026-000123 : 450 €") == ["sol"]


def test_normalise_folds_case_accents_and_digits():
    assert classification.normalise("Réclamation  N° 2026-12") == "reclamation n° 0000-00"


def test_training_on_french_messages_scores_well_on_held_out_data():
    texts, labels = french_messages()
    result = evaluate(texts, labels)

    assert result.test_count == 15 and result.train_count == 45
    assert set(result.per_class) == set(SENTENCES)
    assert result.macro_f1 >= 0.8, result
    assert all(score.support > 0 for score in result.per_class.values())


def test_predict_gives_label_confidence_and_runner_up(model):
    prediction = model.predict(
        "Bonjour, le virement de mon aide n'est pas arrivé sur mon compte bancaire."
    )

    assert prediction.label == "paiement"
    assert 0.6 <= prediction.confidence <= 1
    runner_up, runner_up_confidence = prediction.runner_up
    assert runner_up in SENTENCES and runner_up != "paiement"
    assert runner_up_confidence < prediction.confidence
    assert model.sample_count == 60 and sorted(model.classes) == sorted(SENTENCES)


def test_suggest_withholds_a_low_confidence_label(db, model, settings):
    classifier = EnquiryClassifier(models={"topic": model}, sample_count=60)
    clear = EnquiryFactory(subject="Horaires de l'accueil")
    MessageFactory(
        enquiry=clear, body="Quels sont vos horaires d'ouverture ? Faut-il un rendez-vous ?"
    )
    vague = EnquiryFactory(subject="Question")
    MessageFactory(enquiry=vague, body="Le chat du voisin dort sur le canapé du salon.")

    suggestion = classification.suggest(clear, classifier=classifier)
    assert suggestion is not None and suggestion.label == "horaires"
    assert (
        classifier.models["topic"].predict("Le chat du voisin dort sur le canapé.").confidence < 0.6
    )
    assert classification.suggest(vague, classifier=classifier) is None
    # No urgency model: nothing to suggest.
    assert classification.suggest(clear, target="urgency", classifier=classifier) is None

    settings.LEVIER_CLASSIFIER_THRESHOLD = "1"
    assert classification.suggest(clear, classifier=classifier) is None
    settings.LEVIER_CLASSIFIER_THRESHOLD = "sixty"
    with pytest.raises(ImproperlyConfigured, match="between 0 and 1"):
        classification.threshold()


def test_model_round_trips_through_joblib_and_a_missing_model_loads_as_none(db, model, tmp_path):
    path = tmp_path / "models" / "enquiry-classifier.joblib"
    assert classification.load(path) is None

    classification.save(EnquiryClassifier(models={"topic": model}, sample_count=60), path)
    loaded = classification.load(path)

    assert loaded is not None and loaded.sample_count == 60 and loaded.trained_at
    assert loaded.version == classification.MODEL_VERSION
    text = "Je conteste le refus de mon dossier et demande un réexamen."
    assert loaded.models["topic"].predict(text) == model.predict(text)
    assert isinstance(loaded.models["topic"].predict(text), Prediction)

    # An outdated file is ignored: an agent classifies until the next training.
    outdated = EnquiryClassifier(models={"topic": model}, version=0)
    joblib.dump(outdated, path)
    assert classification.load(path) is None


def test_training_refuses_a_single_class_or_too_few_samples():
    with pytest.raises(NotEnoughData, match="at least 2"):
        train(["Bonjour"] * 30, ["paiement"] * 30)
    with pytest.raises(NotEnoughData, match="levier seed"):
        train(["Bonjour", "Merci"], ["paiement", "reclamation"])


def test_command_trains_and_evaluates_on_seeded_enquiries(db, settings):
    call_command(
        "seed", cases=30, enquiries=300, no_progress=True, no_controls=True, stdout=io.StringIO()
    )

    out = io.StringIO()
    call_command("enquiries", "evaluate", stdout=out, stderr=io.StringIO())
    printed = out.getvalue()
    assert "topic: macro-F1" in printed and "precision  recall  support" in printed
    assert "information-generale" in printed

    out = io.StringIO()
    call_command("enquiries", "train", stdout=out, stderr=io.StringIO())
    trained_on = re.search(r"Trained on (\d+) labelled enquiries\.", out.getvalue())
    assert trained_on and int(trained_on.group(1)) >= 120
    assert (settings.MEDIA_ROOT / "models" / "enquiry-classifier.joblib").exists()
    loaded = classification.load()
    assert loaded is not None and set(loaded.models["topic"].classes) <= {
        "suivi-de-dossier",
        "paiement",
        "pieces-justificatives",
        "reclamation",
        "information-generale",
    }
    if "urgency" in loaded.models:
        assert set(loaded.models["urgency"].classes) <= set(Priority.values)
    # The seed trained once for its demo day; the command once more.
    trainings = Event.objects.filter(verb="train", target_type="enquiries.classifier")
    assert trainings.count() == 2 and trainings.filter(actor_label="demo").count() == 1


def test_command_on_an_empty_database_says_what_to_do(db):
    for action in ("train", "evaluate"):
        with pytest.raises(CommandError, match="Label more enquiries.*levier seed"):
            call_command("enquiries", action, stdout=io.StringIO())
    assert not classification.model_path().exists()
