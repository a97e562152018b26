from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/pieces/<int:doc_pk>/", views.case_document, name="document"),
    path(
        "<int:pk>/pieces/<int:doc_pk>/page-<int:page>.png",
        views.case_document_page,
        name="document_page",
    ),
    path("<int:pk>/reveler/", views.case_reveal, name="reveal"),
    path("<int:pk>/attribuer/", views.case_assign, name="assign"),
    path("<int:pk>/statut/", views.case_transition, name="transition"),
    path("<int:pk>/commenter/", views.case_comment, name="comment"),
]
