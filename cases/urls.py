from django.urls import path

from cases import views

urlpatterns = [
    path("<str:number>/photos/<int:photo_id>/<str:size>/", views.photo_file, name="case_photo"),
]
