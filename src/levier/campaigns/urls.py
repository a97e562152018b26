from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("nouvelle/", views.campaign_new, name="new"),
    path("<int:campaign_pk>/", views.campaign_detail, name="detail"),
    path("<int:campaign_pk>/apercu/", views.campaign_preview, name="preview"),
    path("<int:campaign_pk>/lancer/", views.campaign_start, name="start"),
    path("<int:campaign_pk>/annuler/", views.campaign_cancel, name="cancel"),
]
