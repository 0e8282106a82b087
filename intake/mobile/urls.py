from django.urls import URLPattern

app_name = "mobile"
urlpatterns: list[URLPattern] = []
