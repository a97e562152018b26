from django.urls import path

from . import views
from .dashboards import views as dashboard_views

app_name = "insights"
urlpatterns = [
    path("processus/", views.process, name="process"),
    path("tableau-de-bord/", dashboard_views.dashboard_home, name="dashboards"),
    path("equipe/<int:team_id>/", dashboard_views.team_dashboard, name="team_dashboard"),
    path("service/", dashboard_views.department_dashboard, name="department_dashboard"),
]
