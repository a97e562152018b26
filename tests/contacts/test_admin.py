"""The admin edits and merges through the services, so each change is journaled."""

from django.urls import reverse

from levier.contacts.models import Company, Contact, Person
from levier.journal.models import Event
from tests.factories import CaseFactory, ContactFactory

from .numbers import NIR, SIREN, SIRET


def person_data(**overrides):
    data = {
        "first_name": "Élodie", "last_name": "Dupont", "birth_date": "1985-04-12",
        "nir": "", "email": "elodie@exemple.fr", "phone": "", "iban": "", "address": "",
        "postal_code": "", "city": "", "commune_code": "",
    }  # fmt: skip
    return {**data, **overrides}


def test_adding_a_person_normalises_identifiers_and_journals_the_creation(
    admin_en_client, administrator
):
    response = admin_en_client.post(
        reverse("admin:contacts_person_add"),
        person_data(nir="1 85 04 69 381 123 87", phone="+33 6 12 34 56 78"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = Person.objects.get()
    assert (person.kind, person.nir, person.phone) == ("person", NIR, "0612345678")
    event = Event.objects.get(verb="create")
    assert (event.target_id, event.actor_id) == (str(person.pk), str(administrator.pk))


def test_a_wrong_nir_is_shown_next_to_the_field(admin_en_client):
    response = admin_en_client.post(
        reverse("admin:contacts_person_add"), person_data(nir="185046938112388")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["nir"] == [
        "This social security number does not exist: the key (last 2 digits) is wrong. "
        "Check for a typing error."
    ]
    assert not Contact.objects.exists()


def test_a_siret_of_another_siren_is_refused(admin_en_client):
    response = admin_en_client.post(
        reverse("admin:contacts_company_add"),
        {"legal_name": "Boulangerie", "siren": "404833048", "siret": SIRET, "vat_number": "",
         "naf_code": "", "email": "", "phone": "", "iban": "", "address": "", "postal_code": "",
         "city": "", "commune_code": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert "siret" in response.context["adminform"].form.errors


def test_editing_journals_the_changed_fields(admin_en_client, person):
    url = reverse("admin:contacts_person_change", args=[person.pk])
    kept = {
        name: getattr(person, name) for name in ("email", "address", "postal_code", "commune_code")
    }
    data = person_data(city="Villeurbanne", **kept)
    response = admin_en_client.post(url, data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.city == "Villeurbanne"
    assert Event.objects.get(verb="update").payload == {"fields": ["city"]}


def test_the_change_page_shows_probable_duplicates_and_journals_the_read(admin_en_client, person):
    twin = ContactFactory(first_name="Elodie", last_name="Dupond", email=person.email)
    response = admin_en_client.get(reverse("admin:contacts_person_change", args=[person.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("admin:contacts_person_change", args=[twin.pk]) in content
    assert "same email address" in content
    assert Event.objects.filter(verb="read", target_id=str(person.pk)).exists()


def test_the_lists_are_split_by_kind_and_searchable_by_identifier(admin_en_client, person, company):
    response = admin_en_client.get(
        reverse("admin:contacts_company_changelist"), {"q": "732 829 320"}
    )
    assert list(response.context["cl"].result_list) == [Company.objects.get(pk=company.pk)]
    response = admin_en_client.get(reverse("admin:contacts_person_changelist"))
    assert [c.pk for c in response.context["cl"].result_list] == [person.pk]


def test_the_merge_action_merges_into_the_oldest_contact(admin_en_client, administrator):
    oldest, second, third = ContactFactory(), ContactFactory(), ContactFactory()
    case = CaseFactory(contact=third)
    response = admin_en_client.post(
        reverse("admin:contacts_person_changelist"),
        {"action": "merge_into_oldest", "_selected_action": [third.pk, oldest.pk, second.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        f"2 contacts merged into {oldest.display_name}."
    ]
    case.refresh_from_db()
    assert case.contact_id == oldest.pk
    assert set(Contact.objects.filter(merged_into=oldest)) == {second, third}
    assert Event.objects.filter(verb="merge", actor_id=str(administrator.pk)).count() == 2


def test_the_merge_action_reports_refusals(admin_en_client):
    target, merged = ContactFactory(), ContactFactory()
    merged.merged_into = ContactFactory()
    merged.save()
    response = admin_en_client.post(
        reverse("admin:contacts_person_changelist"),
        {"action": "merge_into_oldest", "_selected_action": [target.pk, merged.pk]},
        follow=True,
    )
    [message] = response.context["messages"]
    assert message.level_tag == "error"
    assert "was already merged into" in str(message)


def test_contacts_cannot_be_deleted_from_the_admin(admin_en_client, company):
    response = admin_en_client.get(reverse("admin:contacts_company_delete", args=[company.pk]))
    assert response.status_code == 403
    assert Company.objects.get(pk=company.pk).siren == SIREN


def test_the_merge_action_needs_two_contacts(admin_en_client, person):
    response = admin_en_client.post(
        reverse("admin:contacts_person_changelist"),
        {"action": "merge_into_oldest", "_selected_action": [person.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Select at least two contacts to merge."
    ]
    assert not Event.objects.filter(verb="merge").exists()
