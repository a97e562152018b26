from django.urls import path

from . import time_saved_views, views
from .dashboards import views as dashboard_views
from .exports import views as export_views
from .reports import views as report_views

app_name = "insights"
urlpatterns = [
    path("processus/", views.process, name="process"),
    path("tableau-de-bord/", dashboard_views.dashboard_home, name="dashboards"),
    path("equipe/<int:team_id>/", dashboard_views.team_dashboard, name="team_dashboard"),
    path("service/", dashboard_views.department_dashboard, name="department_dashboard"),
    path("carte/", views.departement_map, name="map"),
    path("exports/", export_views.export_jobs, name="export_jobs"),
    path("exports/<int:pk>/", export_views.export_job, name="export_job"),
    path("exports/<int:pk>/fichier/", export_views.export_job_file, name="export_job_file"),
    path("exports/<slug:list_name>/", export_views.export_list, name="export"),
    path("temps-gagne/", time_saved_views.time_saved_page, name="time_saved"),
    path("temps-gagne/adopter/", time_saved_views.adopt_standard, name="adopt_standard"),
    path("gestes/", time_saved_views.gestes, name="gestes"),
    path("rapports/", report_views.reports, name="reports"),
    path("rapports/nouveau/", report_views.report_new, name="report_new"),
    path("rapports/<int:report_id>/", report_views.report, name="report"),
    path("rapports/<int:report_id>/supprimer/", report_views.report_delete, name="report_delete"),
    path("rapports/envois/<int:run_id>/pdf/", report_views.report_run_pdf, name="report_run_pdf"),
    path(
        "rapports/envois/<int:run_id>/annexe/",
        report_views.report_run_annex,
        name="report_run_annex",
    ),
]
