from django.urls import path

from . import views

app_name = "controls"
urlpatterns = [
    path("", views.flag_list, name="list"),
    path("<int:flag_pk>/resultat/", views.flag_result, name="result"),
    path("<int:flag_pk>/courrier/", views.flag_advice, name="advice"),
    path("<int:flag_pk>/suite-du-courrier/", views.flag_advice_outcome, name="advice_outcome"),
    path("dossier/<int:case_pk>/verifier/", views.case_check, name="case_check"),
]
