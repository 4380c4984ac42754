"""Sessions that end after ``SESSION_COOKIE_AGE`` without activity, without a write per request.

Django keeps an idle expiry by saving the session on every request
(``SESSION_SAVE_EVERY_REQUEST``): one ``UPDATE`` of the session row for every page, every player
heartbeat. Here the store remembers the expiry of the row it loaded, and ``SessionMiddleware``
saves (pushes the expiry back) only when that expiry was last pushed back more than
``ORGANIZATION_SESSION_REFRESH_SECONDS`` ago. An idle session therefore ends between
``SESSION_COOKIE_AGE - ORGANIZATION_SESSION_REFRESH_SECONDS`` and ``SESSION_COOKIE_AGE`` after the
last request; a session whose data changed is saved as always.

``SESSION_ENGINE = "organization.sessions"`` (this module's ``SessionStore``) and this module's
``SessionMiddleware`` in place of Django's go together.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.utils import timezone


class SessionStore(db.SessionStore):
    """The database store; ``loaded_expiry`` is the expiry of the row it loaded (None before it
    loaded one, or when there was none)."""

    loaded_expiry = None

    def _get_session_from_db(self):
        session = super()._get_session_from_db()
        self.loaded_expiry = session.expire_date if session is not None else None
        return session

    async def _aget_session_from_db(self):
        session = await super()._aget_session_from_db()
        self.loaded_expiry = session.expire_date if session is not None else None
        return session


def due_for_refresh(session) -> bool:
    """True when ``session`` was loaded from a row whose expiry was last pushed back longer ago
    than ``ORGANIZATION_SESSION_REFRESH_SECONDS``. Never loads the session itself."""
    expiry = getattr(session, "loaded_expiry", None)
    if expiry is None:
        return False
    # Saving sets the expiry to "now + age": it was pushed back at ``expiry - age``.
    age = session.get_expiry_age()
    return expiry - timezone.now() <= timedelta(
        seconds=age - settings.ORGANIZATION_SESSION_REFRESH_SECONDS
    )


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, which also saves a session that is due for a refresh."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and not session.modified and due_for_refresh(session):
            session.modified = True
        return super().process_response(request, response)
