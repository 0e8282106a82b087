from django.urls import path

from cases import views

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("<str:number>/", views.case_detail, name="case_detail"),
    path("<str:number>/photos/<int:photo_id>/<str:size>/", views.photo_file, name="case_photo"),
]
