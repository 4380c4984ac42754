"""Certificate pages, the public verification page and the sales systems' API.

Included at the site root (``config/urls.py``) before Wagtail's catch-all. A namespace of its own
(``certificates:``) keeps these paths apart from the quiz-taking ones in ``quizzes.urls``.
"""

from django.urls import path

from . import api
from .views import certificates as views

app_name = "certificates"

urlpatterns = [
    path("certificates/", views.my_certificates, name="mine"),
    path("certificates/team/", views.team_certificates, name="team"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="pdf"),
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("api/v1/certification-check", api.certification_check, name="api_check"),
]
