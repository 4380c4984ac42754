"""Who may study what on the front end (django-rules; views call ``user.has_perm``).

- ``courses.view_course``: a live course whose audience holds the person's company and channel,
  or one they are enrolled in (an assignment may reach beyond the audience); or a course the user
  may edit in the admin (so lecturers preview their own).
- ``courses.study_lesson``: a live lesson of a course the user may view, or one they may edit.
  Progress is written by services that take the person: views pass ``request.user.person``, so
  nobody writes anyone else's progress.
- ``courses.view_morning_meeting``: a live meeting of the person's company or a group-wide one;
  or one the user may edit.
"""

import rules

from .selectors import course_open_to


def _person(user):
    person = getattr(user, "person", None)
    if person is None or not person.is_active:
        return None
    return person


@rules.predicate
def can_edit_page(user, page):
    return page is not None and page.permissions_for_user(user).can_edit()


@rules.predicate
def course_open_to_person(user, course):
    person = _person(user)
    return (
        person is not None and course is not None and course_open_to(person=person, course=course)
    )


@rules.predicate
def lesson_course_open_to_person(user, lesson):
    person = _person(user)
    return (
        person is not None
        and lesson is not None
        and lesson.live
        and course_open_to(person=person, course=lesson.course)
    )


@rules.predicate
def meeting_open_to_person(user, meeting):
    person = _person(user)
    return (
        person is not None
        and meeting is not None
        and meeting.live
        and meeting.company_id in (None, person.org_unit.company_id)
    )


signed_in = rules.is_authenticated & rules.is_active

rules.add_perm("courses.view_course", signed_in & (course_open_to_person | can_edit_page))
rules.add_perm("courses.study_lesson", signed_in & (lesson_course_open_to_person | can_edit_page))
rules.add_perm("courses.view_morning_meeting", signed_in & (meeting_open_to_person | can_edit_page))
