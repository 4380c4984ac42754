from django.urls import path

from .views import api, courses, dashboard, exports, matrix, sessions

app_name = "reports"

urlpatterns = [
    path("reports/", dashboard.dashboard, name="dashboard"),
    path("reports/export/units/", exports.export_units, name="export_units"),
    path("reports/export/people/", exports.export_people, name="export_people"),
    path("reports/courses/", courses.course_index, name="course_index"),
    path("reports/courses/<int:course_id>/", courses.course_detail, name="course_detail"),
    path("reports/courses/<int:course_id>/remind/", courses.course_remind, name="course_remind"),
    path(
        "reports/courses/<int:course_id>/overdue/",
        courses.course_overdue_export,
        name="course_overdue_export",
    ),
    path("reports/assignments/", courses.assignment_index, name="assignment_index"),
    path(
        "reports/assignments/<int:assignment_id>/",
        courses.assignment_detail,
        name="assignment_detail",
    ),
    path(
        "reports/assignments/<int:assignment_id>/remind/",
        courses.assignment_remind,
        name="assignment_remind",
    ),
    path(
        "reports/assignments/<int:assignment_id>/overdue/",
        courses.assignment_overdue_export,
        name="assignment_overdue_export",
    ),
    path("reports/plans/", sessions.plans, name="plans"),
    path("reports/matrix/", matrix.matrix, name="matrix"),
    path("reports/lecturers/", sessions.lecturers, name="lecturers"),
    path("reports/lecturers/<int:profile_id>/", sessions.lecturer, name="lecturer"),
    path("api/v1/statistics/units/", api.units, name="api_units"),
    path("api/v1/statistics/courses/", api.courses, name="api_courses"),
    path("api/v1/statistics/people/", api.people, name="api_people"),
    path("api/v1/statistics/openapi.json", api.openapi, name="api_openapi"),
]
