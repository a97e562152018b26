from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("dossiers/<int:case_pk>/documents/generer/", views.generate, name="generate"),
    path("dossiers/<int:case_pk>/documents/<int:generated_pk>/", views.download, name="download"),
    path("dossiers/<int:case_pk>/courriels/envoyer/", views.email_send, name="email-send"),
    path(
        "dossiers/<int:case_pk>/courriels/<int:email_pk>/renvoyer/",
        views.email_resend,
        name="email-resend",
    ),
]
urlpatterns += [
    path("publipostage/nouveau/", views.merge_new, name="merge_new"),
    path("publipostage/<int:batch_pk>/", views.merge_detail, name="merge_detail"),
    path("publipostage/<int:batch_pk>/zip/", views.merge_download, name="merge_download"),
]
