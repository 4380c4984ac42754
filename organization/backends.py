"""The login backend: Django's ``ModelBackend``, loading the person with the user.

Nearly every request reads ``request.user.person`` and its org unit (the header, the scope rule,
the course audience, a player heartbeat), so the user, their person and the person's unit come in
the one query that loads the user for the session.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PersonModelBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("person__org_unit").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
