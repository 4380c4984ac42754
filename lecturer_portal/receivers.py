"""Signals from the apps to the left that lecturer_portal follows.

- ``quizzes.signals.attempt_passed``: a pass of a cascade session's assessment quiz qualifies the
  attendee (``attendance.cascade_quiz_passed``), in the submission's transaction.

Connected in ``LecturerPortalConfig.ready``.
"""

from quizzes.signals import attempt_passed

from . import attendance


def on_attempt_passed(sender, *, attempt, **kwargs) -> None:
    attendance.cascade_quiz_passed(attempt=attempt)


def connect() -> None:
    attempt_passed.connect(
        on_attempt_passed, dispatch_uid="lecturer_portal.attendance.attempt_passed"
    )
