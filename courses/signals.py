"""Signals apps to the right of courses listen to (they may import courses; courses never imports
them).

Sent inside the sender's transaction, so a receiver's writes commit or roll back with it.
"""

from datetime import date
from typing import NamedTuple

from django.dispatch import Signal

# Sent when an enrolment becomes completed (lessons done, or the course's quiz passed), once per
# enrolment: enrollment (person and course loaded), at (when it was completed).
enrollment_completed = Signal()


class RollupKey(NamedTuple):
    """What dashboards count an enrolment under (see reports/)."""

    org_path: str
    course_id: int
    channel: str
    assignment_id: int | None
    due_date: date | None
    status: str
    completed_on: date | None  # local date of completed_at


# Sent after one enrolment was created or its RollupKey changed: enrollment, before (a RollupKey,
# None when created), after (a RollupKey).
enrollment_changed = Signal()

# Sent before and after a bulk write to enrolments (assignment enrolment, due-date change):
# rows, a Q on Enrollment selecting every row the write may touch, before it and after it.
enrollments_changing = Signal()
enrollments_changed = Signal()
