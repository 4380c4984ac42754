"""Tell people: an in-app notice for each, and the same by e-mail to those with an address.

Notices are written in the caller's transaction; the e-mails go out once it commits, so a change
that rolls back tells nobody anything. A failing mail server is logged and costs no notice.
Large audiences (everyone a published session is open to) get in-app notices only, written by a
background task (``tasks.notify_session_audience``).
"""

import logging
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from organization.models import Person

from .models import Notice, TrainingSession

logger = logging.getLogger(__name__)
BATCH_SIZE = 1000


def _send(messages: list[EmailMessage]) -> None:
    try:
        get_connection().send_messages(messages)
    except Exception:
        logger.exception("Could not send %d notice e-mails.", len(messages))


def absolute_url(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url


def notify(
    *,
    people: Iterable[Person | None],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    session: TrainingSession | None = None,
    email: bool = True,
) -> list[Notice]:
    """One notice per person (each person once; None is skipped), and an e-mail after commit."""
    recipients = list({person.pk: person for person in people if person is not None}.values())
    notices = Notice.objects.bulk_create(
        [
            Notice(recipient=person, kind=kind, title=title, body=body, url=url, session=session)
            for person in recipients
        ],
        batch_size=BATCH_SIZE,
    )
    if email:
        with translation.override(settings.LANGUAGE_CODE):
            messages = [
                EmailMessage(
                    subject=title,
                    body=render_to_string(
                        "lecturer_portal/email/notice.txt",
                        {"person": person, "body": body, "url": absolute_url(url)},
                    ),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[person.user.email],
                )
                for person in recipients
                if person.user.email
            ]
        if messages:
            transaction.on_commit(partial(_send, messages))
    return notices


def notify_people_ids(
    *, person_ids: Iterable[int], kind: str, title: str, body: str = "", session=None
) -> int:
    """In-app notices only, for many people at once by id: one INSERT per thousand."""
    created = 0
    batch: list[Notice] = []
    for person_id in person_ids:
        batch.append(
            Notice(recipient_id=person_id, kind=kind, title=title, body=body, session=session)
        )
        if len(batch) == BATCH_SIZE:
            created += len(Notice.objects.bulk_create(batch))
            batch = []
    if batch:
        created += len(Notice.objects.bulk_create(batch))
    return created
