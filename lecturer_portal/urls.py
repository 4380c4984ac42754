"""The lecturer's workspace and everyone's notices (front end, before Wagtail's catch-all)."""

from django.urls import path

from . import session_views as sv
from . import views

app_name = "lecturer_portal"

urlpatterns = [
    path("lecturer/", views.workspace, name="workspace"),
    path(
        "lecturer/assignments/<int:assignment_id>/accept/",
        views.assignment_accept,
        name="assignment_accept",
    ),
    path(
        "lecturer/assignments/<int:assignment_id>/decline/",
        views.assignment_decline,
        name="assignment_decline",
    ),
    path("lecturer/sessions/<int:session_id>/", sv.lecturer_session, name="lecturer_session"),
    path("lecturer/sessions/<int:session_id>/qr/", sv.lecturer_session_qr, name="lecturer_qr"),
    path(
        "lecturer/sessions/<int:session_id>/check-in/",
        sv.lecturer_check_in,
        name="lecturer_check_in",
    ),
    path("lecturer/sessions/<int:session_id>/pass/", sv.lecturer_mark_passed, name="mark_passed"),
    path("lecturer/calendar/<str:token>.ics", sv.calendar_feed, name="calendar"),
    path("sessions/", sv.session_list, name="sessions"),
    path("sessions/feedback/", sv.feedback_overview, name="feedback_overview"),
    path("sessions/<int:session_id>/", sv.session_detail, name="session_detail"),
    path("sessions/<int:session_id>/register/", sv.register, name="register"),
    path("sessions/<int:session_id>/cancel/", sv.cancel_registration, name="cancel_registration"),
    path(
        "sessions/<int:session_id>/register-audience/",
        sv.register_audience,
        name="register_audience",
    ),
    path("sessions/<int:session_id>/check-in/", sv.check_in, name="check_in"),
    path("sessions/<int:session_id>/feedback/", sv.feedback, name="feedback"),
    path("notices/", views.notices, name="notices"),
    path("notices/read/", views.notices_mark_read, name="notices_mark_read"),
]
