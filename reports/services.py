"""Writes of the reports app: reminders to overdue people (issue 6 item 7)."""

from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from itertools import islice

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import Assignment, CoursePage
from lecturer_portal.models import NoticeKind
from lecturer_portal.notifications import notify
from organization.models import OrgUnit, Person

from .filters import Filters
from .models import Reminder, ReminderBatch
from .selectors.courses import overdue_enrollments

BATCH_SIZE = 1000


def _chunks(iterable, size: int):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass(frozen=True)
class RemindResult:
    reminded: int
    skipped: int


@transaction.atomic
def overdue_remind(
    *,
    sent_by,
    unit: OrgUnit,
    course: CoursePage,
    filters: Filters,
    today: date,
    assignment: Assignment | None = None,
) -> RemindResult:
    """Remind every overdue person of ``course`` (or of ``assignment``) in ``unit``'s subtree
    under ``filters``, except those already reminded on ``today``. The (person, day) unique
    constraint decides who is reminded, so racing clicks remind each person once. The notices and
    e-mails go out in a background task once this commits."""
    filters = replace(
        filters,
        course_id=course.pk,
        assignment_id=assignment.pk if assignment else filters.assignment_id,
    )
    # One enrolment per person and course: each person comes once.
    person_ids = (
        overdue_enrollments(unit=unit, filters=filters, today=today)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )
    batch = ReminderBatch.objects.create(
        sent_by=sent_by, unit=unit, course=course, assignment=assignment
    )
    asked = 0
    for chunk in _chunks(person_ids.iterator(chunk_size=BATCH_SIZE), BATCH_SIZE):
        asked += len(chunk)
        Reminder.objects.bulk_create(
            [Reminder(batch=batch, person_id=person_id, day=today) for person_id in chunk],
            ignore_conflicts=True,
        )
    # ignore_conflicts returns no ids on every database: count what this batch really wrote.
    batch.n_reminded = Reminder.objects.filter(batch=batch).count()
    batch.n_skipped = asked - batch.n_reminded
    batch.save(update_fields=["n_reminded", "n_skipped"])
    if batch.n_reminded:
        from .tasks import deliver_reminders

        transaction.on_commit(partial(deliver_reminders.enqueue, batch.pk))
    return RemindResult(reminded=batch.n_reminded, skipped=batch.n_skipped)


def reminder_batch_deliver(*, batch_id: int) -> int:
    """Send the batch's notices and e-mails (``notify``), a thousand people at a time; once
    only, even when the task runs again. Returns how many people were told."""
    claimed = ReminderBatch.objects.filter(pk=batch_id, delivered_at__isnull=True).update(
        delivered_at=timezone.now()
    )
    if not claimed:
        return 0
    batch = ReminderBatch.objects.select_related("course", "assignment").get(pk=batch_id)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("学习提醒：请尽快完成《%(course)s》") % {"course": batch.course.title}
        if batch.assignment:
            body = _(
                "您的必修课程《%(course)s》完成期限为 %(date)s，已经逾期，请尽快完成学习。"
            ) % {
                "course": batch.course.title,
                "date": batch.assignment.due_date.isoformat(),
            }
        else:
            body = _("您的课程《%(course)s》已超过完成期限，请尽快完成学习。") % {
                "course": batch.course.title
            }
    url = batch.course.get_url() or ""
    people = (
        Person.objects.filter(pk__in=Reminder.objects.filter(batch=batch).values("person_id"))
        .select_related("user")
        .order_by("pk")
    )
    told = 0
    for chunk in _chunks(people.iterator(chunk_size=BATCH_SIZE), BATCH_SIZE):
        with transaction.atomic():
            told += len(
                notify(
                    people=chunk, kind=NoticeKind.TRAINING_REMINDER, title=title, body=body, url=url
                )
            )
    return told
