from django.urls import path

from components import views

urlpatterns = [
    path("layer.json", views.layer, name="component_layer"),
]
