from django.urls import path

from intake.hotline import views

app_name = "hotline"
urlpatterns = [
    path("", views.console, name="console"),
    path("suggest/", views.suggest, name="suggest"),
    path("place/", views.place, name="place"),
]
