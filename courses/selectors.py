"""Reads over courses and learning records, each in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from wagtail.models import Page, ReferenceIndex

from organization.models import OrgUnit, Person
from organization.scope import MANAGING_ROLES, filter_to_scope

from .models import (
    Assignment,
    CourseAudienceChannel,
    CoursePage,
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
    LessonPage,
    LessonProgress,
    MorningMeetingPage,
    cross_selling_labels,
)

STEPLEN = Page.steplen


def _audience_q(person: Person) -> Q:
    """Courses whose audience holds the person's company and channel (rows, not a scan)."""
    # The person's company read in SQL: the rule check does not load their org unit.
    company_id = OrgUnit.objects.filter(pk=person.org_unit_id).values("company_id")[:1]
    company_ids = CoursePage.audience_companies.through.objects.filter(
        coursepage_id=OuterRef("pk"), orgunit_id=Subquery(company_id)
    )
    channels = CourseAudienceChannel.objects.filter(
        course_id=OuterRef("pk"), channel=person.channel
    )
    return Q(Exists(company_ids)) & Q(Exists(channels))


def course_open_to(*, person: Person, course: CoursePage) -> bool:
    """A live course the person may study: in its audience, or enrolled (e.g. assigned).

    One query."""
    enrolled = Enrollment.objects.filter(course_id=OuterRef("pk"), person=person)
    return (
        CoursePage.objects.live()
        .filter(pk=course.pk)
        .filter(_audience_q(person) | Q(Exists(enrolled)))
        .exists()
    )


def media_item_open_to(*, person: Person, item) -> bool:
    """True when a media item or document is used (per Wagtail's reference index) in a live lesson
    of a course open to the person, or in a live morning meeting open to them. Four queries.

    The reference index records what the live page rows hold; editors previewing drafts are let in
    by the media library's own editor rule.
    """
    lesson_type = ContentType.objects.get_for_model(LessonPage)
    meeting_type = ContentType.objects.get_for_model(MorningMeetingPage)
    references = ReferenceIndex.objects.filter(
        to_content_type=ContentType.objects.get_for_model(item),
        to_object_id=str(item.pk),
        content_type__in=[lesson_type, meeting_type],
    ).values_list("content_type_id", "object_id")
    lesson_ids, meeting_ids = set(), set()
    for content_type_id, object_id in references:
        (lesson_ids if content_type_id == lesson_type.pk else meeting_ids).add(int(object_id))
    if meeting_ids and (
        morning_meetings_for_person(person=person).filter(pk__in=meeting_ids).exists()
    ):
        return True
    if not lesson_ids:
        return False
    course_paths = {
        path[:-STEPLEN]
        for path in LessonPage.objects.live()
        .filter(pk__in=lesson_ids)
        .values_list("path", flat=True)
    }
    enrolled = Enrollment.objects.filter(course_id=OuterRef("pk"), person=person)
    return (
        CoursePage.objects.live()
        .filter(path__in=course_paths)
        .filter(_audience_q(person) | Q(Exists(enrolled)))
        .exists()
    )


def catalogue_for_person(
    *, person: Person, topic: str | None = None, product: str | None = None
) -> QuerySet:
    """Live courses for the person's company and channel, newest first, each annotated with the
    person's ``enrollment_status``, ``enrollment_percent`` and ``enrollment_due_date`` (None when
    not enrolled).

    Three queries when iterated: courses, topic tags, product tags.
    """
    enrollment = Enrollment.objects.filter(course_id=OuterRef("pk"), person=person)
    courses = (
        CoursePage.objects.live()
        .filter(_audience_q(person))
        .select_related("owning_company", "cover_image")
        .prefetch_related("topic_tags", "product_tags")
        .annotate(
            enrollment_status=Subquery(enrollment.values("status")[:1]),
            enrollment_percent=Subquery(enrollment.values("percent")[:1]),
            enrollment_due_date=Subquery(enrollment.values("due_date")[:1]),
        )
        .order_by("-first_published_at", "pk")
    )
    if topic:
        courses = courses.filter(topic_tags__name=topic)
    if product:
        courses = courses.filter(product_tags__name=product)
    return courses


@dataclass
class CourseOutline:
    course: CoursePage
    enrollment: Enrollment | None
    lessons: list[LessonPage]
    required_count: int
    required_done: int
    next_lesson: LessonPage | None = None
    cross_selling_pairs: list[str] = field(default_factory=list)


def course_outline(
    *, course: CoursePage, person: Person | None, preview: bool = False
) -> CourseOutline:
    """The course's live lessons in order, each with ``progress`` (the person's LessonProgress or
    None), the person's enrolment and the lesson to continue with.

    Four queries whatever the number of lessons: lessons, progress, enrolment, and the owning and
    audience companies together (for the cross-selling label; the owner primes
    ``course.owning_company``, whose name the page shows). A ``preview`` reads the draft's own
    companies instead, which may not be saved yet.
    """
    lessons = list(LessonPage.objects.live().child_of(course).order_by("path"))
    progress_by_lesson = {}
    enrollment = None
    if person is not None:
        progress_by_lesson = {
            progress.lesson_id: progress
            for progress in LessonProgress.objects.filter(
                person=person, lesson__in=[lesson.pk for lesson in lessons]
            )
        }
        enrollment = Enrollment.objects.filter(person=person, course=course).first()
    for lesson in lessons:
        lesson.progress = progress_by_lesson.get(lesson.pk)
        # The parent is known: spare the per-lesson lookup of the course's company.
        lesson.__dict__["course"] = course
        lesson.__dict__["course_company_id"] = course.owning_company_id
    counted = [lesson for lesson in lessons if lesson.required] or lessons
    done = [lesson for lesson in counted if lesson.progress and lesson.progress.is_completed]
    next_lesson = next(
        (lesson for lesson in lessons if not (lesson.progress and lesson.progress.is_completed)),
        None,
    )
    return CourseOutline(
        course=course,
        enrollment=enrollment,
        lessons=lessons,
        required_count=len(counted),
        required_done=len(done),
        next_lesson=next_lesson,
        cross_selling_pairs=course.cross_selling_pairs if preview else _cross_selling_pairs(course),
    )


def _cross_selling_pairs(course: CoursePage) -> list[str]:
    """One query for the owning and the audience companies; primes ``course.owning_company``."""
    companies = list(
        OrgUnit.objects.filter(
            Q(pk=course.owning_company_id) | Q(audience_courses=course)
        ).distinct()
    )
    course.owning_company = next(c for c in companies if c.pk == course.owning_company_id)
    # The owner is listed once whether or not it is also in the audience; the labels skip it.
    return cross_selling_labels(course.owning_company, companies)


def live_lesson_with_course(*, lesson_id: int) -> LessonPage | None:
    """The live lesson with ``lesson.course`` primed, in one query: the course's id, owning
    company and completion rule come as subqueries; its other fields load if ever read."""
    course = CoursePage.objects.filter(
        path=Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * STEPLEN)
    )
    lesson = (
        LessonPage.objects.live()
        .filter(pk=lesson_id)
        .annotate(
            course_pk=Subquery(course.values("pk")[:1]),
            course_owner_id=Subquery(course.values("owning_company_id")[:1]),
            course_rule=Subquery(course.values("completion_rule")[:1]),
        )
        .first()
    )
    if lesson is None:
        return None
    loaded = {
        "id": lesson.course_pk,
        "path": lesson.path[:-STEPLEN],
        "depth": lesson.depth - 1,
        "page_ptr_id": lesson.course_pk,
        "owning_company_id": lesson.course_owner_id,
        "completion_rule": lesson.course_rule,
    }
    names = [f.attname for f in CoursePage._meta.concrete_fields if f.attname in loaded]
    lesson.__dict__["course"] = CoursePage.from_db(
        lesson._state.db, names, [loaded[name] for name in names]
    )
    return lesson


@dataclass
class LessonStudy:
    lesson: LessonPage
    course: CoursePage
    progress: LessonProgress | None
    media: object | None
    resume_at: float


def lesson_for_study(*, lesson: LessonPage, person: Person | None) -> LessonStudy:
    """What the lesson page needs: its course, the tracked media and where to resume."""
    progress = None
    if person is not None:
        progress = LessonProgress.objects.filter(person=person, lesson=lesson).first()
    media = lesson.tracked_media
    resume_at = 0.0
    if progress is not None and media is not None and not progress.is_completed:
        resume_at = progress.last_position
    return LessonStudy(
        lesson=lesson, course=lesson.course, progress=progress, media=media, resume_at=resume_at
    )


@dataclass
class MyLearning:
    assigned: list[Enrollment]
    in_progress: list[Enrollment]
    completed: list[Enrollment]


def my_learning(*, person: Person, today: date) -> MyLearning:
    """The person's live courses in three lists, one query.

    ``assigned``: assigned and not completed, overdue first, then by due date (each with
    ``is_overdue``); ``in_progress``: self-enrolled, not completed, latest activity first;
    ``completed``: latest first.
    """
    enrollments = list(
        Enrollment.objects.filter(person=person, course__live=True)
        .select_related("course", "course__cover_image", "course__owning_company")
        .order_by("-updated_at")
    )
    assigned, in_progress, completed = [], [], []
    for enrollment in enrollments:
        enrollment.is_overdue = bool(
            enrollment.due_date
            and enrollment.due_date < today
            and enrollment.status != EnrollmentStatus.COMPLETED
        )
        if enrollment.status == EnrollmentStatus.COMPLETED:
            completed.append(enrollment)
        elif enrollment.source == EnrollmentSource.ASSIGNED:
            assigned.append(enrollment)
        else:
            in_progress.append(enrollment)
    assigned.sort(key=lambda e: (not e.is_overdue, e.due_date or date.max, e.pk))
    completed.sort(key=lambda e: e.completed_at, reverse=True)
    return MyLearning(assigned=assigned, in_progress=in_progress, completed=completed)


def morning_meetings_for_person(*, person: Person) -> QuerySet:
    """Live meetings of the person's company and the group-wide ones, newest first."""
    return (
        MorningMeetingPage.objects.live()
        .filter(Q(company__isnull=True) | Q(company_id=person.org_unit.company_id))
        .select_related("company", "video")
        .order_by("-meeting_date", "-pk")
    )


def todays_morning_meeting(*, person: Person, on_date: date) -> MorningMeetingPage | None:
    """The person's company's meeting on ``on_date``, else a group-wide one that day."""
    return (
        morning_meetings_for_person(person=person)
        .filter(meeting_date=on_date)
        .order_by(F("company_id").desc(nulls_last=True), "-pk")
        .first()
    )


def assignment_audience(assignment: Assignment) -> QuerySet:
    """Active people in the assignment's audience: subtree × companies × channels × roles."""
    people = Person.objects.active().filter(
        org_unit__path__startswith=assignment.audience_root.path
    )
    company_ids = [company.pk for company in assignment.audience_companies.all()]
    if company_ids:
        people = people.filter(org_unit__company_id__in=company_ids)
    if assignment.channels:
        people = people.filter(channel__in=assignment.channels)
    if assignment.roles:
        memberships = get_user_model().groups.through.objects.filter(
            user_id=OuterRef("user_id"), group__name__in=assignment.roles
        )
        people = people.filter(Exists(memberships))
    return people


def assignments_for_people(people: list[Person]) -> list[Assignment]:
    """Active assignments of live courses whose audience root is at or above one of ``people``."""
    prefixes = {
        person.org_unit.path[:end]
        for person in people
        for end in range(STEPLEN, len(person.org_unit.path) + 1, STEPLEN)
    }
    if not prefixes:
        return []
    return list(
        Assignment.objects.filter(active=True, course__live=True, audience_root__path__in=prefixes)
        .select_related("audience_root", "course")
        .prefetch_related("audience_companies")
    )


def assignments_in_scope(user) -> QuerySet:
    """The assignments a coordinator manages: those whose audience root lies in their subtree."""
    return filter_to_scope(
        Assignment.objects.select_related("course", "audience_root", "created_by"),
        user,
        path_field="audience_root__path",
        roles=MANAGING_ROLES,
    )
