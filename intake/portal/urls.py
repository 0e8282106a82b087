"""/public/: the portal's pages (intake/portal/views.py)."""

from django.urls import path

from intake.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("track/", views.track, name="track"),
    path("track/<str:number>/", views.case_page, name="case"),
    path("track/<str:number>/rate/", views.rate, name="rate"),
    path("addresses.json", views.addresses, name="addresses"),
    path("outlines.json", views.outlines, name="outlines"),
]
