"""The inspector app (城管通) under /m/."""

from django.urls import path

from . import views

app_name = "mobile"
urlpatterns = [
    path("", views.app, name="app"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("duty", views.duty, name="duty"),
    path("pings", views.pings, name="pings"),
    path("types", views.types, name="types"),
    path("reports", views.reports, name="reports"),
]
