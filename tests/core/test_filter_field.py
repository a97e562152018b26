from django import forms
from django.template import Context, Template

TEMPLATE = Template(
    "{% load levier_filters %}{% for field in form %}{% filter_field field %}{% endfor %}"
)


class Filters(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, help_text="Nom ou référence")
    status = forms.ChoiceField(
        label="Statut", required=False, choices=[("", "Tous"), ("open", "Ouverts")]
    )
    since = forms.DateField(
        label="Depuis", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def render(data) -> str:
    form = Filters(data)
    form.is_valid()
    return TEMPLATE.render(Context({"form": form}))


def test_values_are_kept_escaped_and_selected():
    html = render({"q": '<script>"x"</script>', "status": "open"})
    assert 'value="&lt;script&gt;&quot;x&quot;&lt;/script&gt;"' in html
    assert '<option value="open" selected>Ouverts</option>' in html
    assert (
        '<label class="fr-label" for="id_q">Rechercher<span class="fr-hint-text">Nom ou référence</span></label>'
        in html
    )


def test_an_invalid_value_is_shown_with_its_error():
    html = render({"since": "pas une date"})
    assert "fr-input-group--error" in html
    assert 'type="date"' in html
    assert 'aria-describedby="id_since-desc-error"' in html
    assert 'id="id_since-desc-error"' in html
    assert 'value="pas une date"' in html
