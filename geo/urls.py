from django.urls import path

from geo import views

urlpatterns = [
    path("outlines.json", views.outlines, name="map_outlines"),
    path("grids.json", views.grids, name="map_grids"),
    path("locate.json", views.locate_point, name="map_locate"),
    path("search.json", views.search, name="map_search"),
]
