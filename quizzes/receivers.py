"""Signals from the apps to the left that certificates follow.

- ``courses.signals.enrollment_completed``: a certification that requires this course is granted
  now if its quiz was passed before (``certificates_grant_pending``).
- ``organization.signals``: the holder's org path and company copied on certificates follow moves.

Connected in ``QuizzesConfig.ready``; the senders send inside their transactions.
"""

from courses.signals import enrollment_completed
from organization.signals import org_subtree_moved, person_moved

from . import certificates
from .models import Certification


def on_enrollment_completed(sender, *, enrollment, at, **kwargs) -> None:
    requiring = Certification.objects.filter(required_course_id=enrollment.course_id)
    if requiring.exists():
        certificates.certificates_grant_pending(
            person=enrollment.person, certifications=requiring, at=at
        )


def on_org_subtree_moved(sender, *, old_path: str, new_path: str, **kwargs) -> None:
    certificates.certificates_move_subtree(old_path=old_path, new_path=new_path)


def on_person_moved(sender, *, person, **kwargs) -> None:
    certificates.certificates_follow_person(person=person)


def connect() -> None:
    enrollment_completed.connect(
        on_enrollment_completed, dispatch_uid="quizzes.certificates.enrollment_completed"
    )
    org_subtree_moved.connect(
        on_org_subtree_moved, dispatch_uid="quizzes.certificates.org_subtree_moved"
    )
    person_moved.connect(on_person_moved, dispatch_uid="quizzes.certificates.person_moved")
