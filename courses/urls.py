"""The study pages outside the page tree (the course, lesson and meeting pages are Wagtail pages).

Included at the site root before Wagtail's catch-all, so ``/learn/…`` and ``/search/`` never reach
the page tree.
"""

from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("learn/", views.my_learning, name="my_learning"),
    path("learn/catalogue/", views.catalogue, name="catalogue"),
    path("learn/morning-meetings/", views.morning_meetings, name="morning_meetings"),
    path("learn/courses/<int:course_id>/start/", views.course_start, name="course_start"),
    path(
        "learn/lessons/<int:lesson_id>/heartbeat/", views.lesson_heartbeat, name="lesson_heartbeat"
    ),
    path("learn/lessons/<int:lesson_id>/done/", views.lesson_done, name="lesson_done"),
    path("search/", views.search, name="search"),
]
