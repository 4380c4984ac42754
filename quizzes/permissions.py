"""The model permissions of the question bank, held by the lecturer and coordinator groups.

Granted after every ``migrate`` (idempotently, as ``organization.roles`` does). They only open the
admin menus and views: which company's bank a user may touch is ``quizzes.rules``' decision, and
the permission policies in ``quizzes.wagtail_hooks`` ask it on every object.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions

from organization.models import Role
from organization.roles import grant

BANK_PERMISSIONS = [
    f"quizzes.{action}_{model}"
    for model in ("questioncategory", "question", "quiz")
    for action in ("add", "change", "delete", "view")
]


def ensure_bank_permissions(**kwargs) -> None:
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role in (Role.LECTURER, Role.COORDINATOR):
        grant(role, BANK_PERMISSIONS)
