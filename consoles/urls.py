from django.urls import path

from consoles import board, dashboard, desk, evaluation, health, inbox, map_layer, patrol, views

urlpatterns = [
    path("", views.home, name="home"),
    path("work/<slug:role>/", desk.workspace, name="workspace"),
    path("work/<slug:role>/live/", desk.workspace_live, name="workspace_live"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/badge/", inbox.badge, name="inbox_badge"),
    path("inbox/read/", inbox.mark_all_read, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", inbox.mark_read, name="inbox_read"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/export.<str:file_format>", views.case_export, name="case_export"),
    path("cases/<str:number>/", views.case_detail, name="case_detail"),
    path("cases/<str:number>/do/<slug:verb>/", views.case_act, name="case_act"),
    path("cases/<str:number>/photo/", views.case_add_photo, name="case_add_photo"),
    path("cases/<str:number>/contact/", views.case_reveal_contact, name="case_reveal_contact"),
    path("components/<str:identifier>/", views.component_detail, name="component_detail"),
    path("map/", views.map_page, name="map"),
    path("map/cases.json", map_layer.cases_layer, name="map_cases"),
    path("map/find.json", map_layer.find, name="map_find"),
    path("board/", board.overdue_board, name="overdue_board"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/live/", dashboard.dashboard_live, name="dashboard_live"),
    path("dashboard/grids.json", dashboard.dashboard_grids, name="dashboard_grids"),
    path("patrol/", patrol.patrol_coverage, name="patrol"),
    path("evaluation/", evaluation.evaluation_page, name="evaluation"),
    path("evaluation/figure/", evaluation.evaluation_drill, name="evaluation_drill"),
    path("evaluation/report/", evaluation.evaluation_report, name="evaluation_report"),
    path("evaluation/report/chain/", evaluation.evaluation_chain, name="evaluation_chain"),
    path("evaluation/runs/", evaluation.evaluation_runs, name="evaluation_runs"),
    path(
        "evaluation/runs/<int:pk>.xlsx", evaluation.evaluation_run_file, name="evaluation_run_file"
    ),
    path("health/", health.health_panel, name="health"),
]
