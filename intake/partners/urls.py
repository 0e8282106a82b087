"""The acceptor's camera pages under /partners/."""

from django.urls import path

from intake.partners import views

urlpatterns = [
    path("cameras/", views.camera_list, name="partner_cameras"),
    path("cameras/<slug:code>/", views.camera_report, name="partner_camera_report"),
]
