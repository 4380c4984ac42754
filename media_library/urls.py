from django.urls import path

from . import views

app_name = "media_library"

urlpatterns = [
    path("<int:media_id>/play/", views.play, name="play"),
    path("<int:media_id>/poster/", views.poster, name="poster"),
    path("<int:media_id>/subtitles/", views.subtitles, name="subtitles"),
    path("<int:media_id>/original/", views.original, name="original"),
]
