"""Taking quizzes (``quizzes.views.attempts``). Included at the site root before Wagtail's
catch-all; certificates have their own URLconf (``quizzes.certificate_urls``)."""

from django.urls import path

from .views import attempts as views

app_name = "quizzes"

urlpatterns = [
    path("quizzes/", views.my_quizzes, name="my_quizzes"),
    path("quizzes/<int:quiz_id>/", views.quiz_detail, name="quiz_detail"),
    path("quizzes/<int:quiz_id>/start/", views.quiz_start, name="quiz_start"),
    path(
        "quizzes/attempts/<int:attempt_id>/questions/<int:number>/",
        views.attempt_question,
        name="attempt_question",
    ),
    path("quizzes/attempts/<int:attempt_id>/answer/", views.attempt_answer, name="attempt_answer"),
    path(
        "quizzes/attempts/<int:attempt_id>/overview/",
        views.attempt_overview,
        name="attempt_overview",
    ),
    path("quizzes/attempts/<int:attempt_id>/submit/", views.attempt_submit, name="attempt_submit"),
    path("quizzes/attempts/<int:attempt_id>/result/", views.attempt_result, name="attempt_result"),
]
