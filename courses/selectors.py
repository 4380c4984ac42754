"""Reads over courses and learning records, each in a fixed number of queries."""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models import (
    BooleanField,
    DateTimeField,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
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
    LessonKind,
    LessonPage,
    LessonProgress,
    MorningMeetingPage,
    cross_selling_labels,
)
from .models.pages import MEDIA_BLOCK_TYPES

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


def _company_of(person: Person):
    """The person's company id: from their org unit when it is loaded (the login backend loads it
    with the user), else read in SQL."""
    if Person.org_unit.is_cached(person):
        return person.org_unit.company_id
    return Subquery(OrgUnit.objects.filter(pk=person.org_unit_id).values("company_id")[:1])


def course_open_to(*, person: Person, course: CoursePage) -> bool:
    """A live course the person may study: in its audience, or enrolled (e.g. assigned).

    One query, with plain joins for the one course: every study page asks it. The course page
    reads the same rule from its ``course_header`` instead."""
    company_id = _company_of(person)
    in_audience = Q(pk__in=[])  # a person without a company is in no audience
    if company_id is not None:
        in_audience = Q(
            audience_companies=company_id, audience_channel_rows__channel=person.channel
        )
    return (
        CoursePage.objects.live()
        .filter(pk=course.pk)
        .filter(in_audience | Q(enrollments__person=person))
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


@dataclass(slots=True)
class OutlineLesson:
    """A lesson as the course outline shows it, with the person's progress in it."""

    pk: int
    title: str
    slug: str
    required: bool
    estimated_minutes: int | None
    is_media: bool  # the body holds a video or an audio block (``LessonPage.kind``)
    href: str | None  # its URL, as ``{% pageurl %}`` gives it
    is_done: bool = False
    is_watching: bool = False  # started (some media watched), not done
    is_next: bool = False  # the first lesson not done: where 继续学习 leads

    @property
    def kind(self) -> str:
        return LessonKind.MEDIA if self.is_media else LessonKind.TEXT


@dataclass
class CourseOutline:
    course: CoursePage
    enrollment: Enrollment | None
    lessons: list[OutlineLesson]
    required_count: int
    required_done: int
    next_lesson: OutlineLesson | None = None
    cross_selling_pairs: list[str] = field(default_factory=list)

    @property
    def lessons_digest(self) -> str:
        """A digest of everything the lesson list shows, each lesson's state included: the key of
        the list's fragment cache (``course_page.html``), so one person's list is never another's
        unless they are the same."""
        return hashlib.blake2b(repr(self.lessons).encode(), digest_size=16).hexdigest()


class BodyHasMedia(Func):
    """True when a lesson's ``body`` holds a video or an audio block (a media lesson, see
    ``LessonPage.kind``), read in SQL so that the body itself is not loaded: ``jsonb_path_exists``
    on PostgreSQL, ``json_each`` on SQLite."""

    arity = 1
    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError("BodyHasMedia runs on PostgreSQL and SQLite only.")

    def as_postgresql(self, compiler, connection, **extra_context):
        body, params = compiler.compile(self.source_expressions[0])
        types = " || ".join(f'@.type == "{block_type}"' for block_type in MEDIA_BLOCK_TYPES)
        return f"jsonb_path_exists({body}, %s::jsonpath)", (*params, f"$[*] ? ({types})")

    def as_sqlite(self, compiler, connection, **extra_context):
        body, params = compiler.compile(self.source_expressions[0])
        placeholders = ", ".join(["%s"] * len(MEDIA_BLOCK_TYPES))
        return (
            f"EXISTS (SELECT 1 FROM json_each({body}) AS block"
            f" WHERE json_extract(block.value, '$.type') IN ({placeholders}))",
            (*params, *MEDIA_BLOCK_TYPES),
        )


def child_page_url(parent_url: str | None, slug: str) -> str | None:
    """What ``{% pageurl %}`` gives for the child page ``slug`` of the page at ``parent_url``,
    without the per-page URL work: a page's URL path is its parent's plus its slug, which
    ``reverse`` percent-encodes; the trailing slash follows the parent's (``WAGTAIL_APPEND_SLASH``).
    """
    if parent_url is None:
        return None
    if parent_url.endswith("/"):
        return f"{parent_url}{quote(slug)}/"
    return f"{parent_url}/{quote(slug)}"


def course_outline(
    *,
    course: CoursePage,
    person: Person | None,
    preview: bool = False,
    course_url: str | None = None,
    header: "CourseHeader | None" = None,
) -> CourseOutline:
    """The course's live lessons in order (``OutlineLesson`` rows with the person's progress),
    the person's enrolment and the lesson to continue with.

    A lesson's URL is ``course_url`` (the course's URL as the request sees it, by default
    ``course.url``) plus its slug. The lessons are read as plain values with the person's progress
    joined in and without their bodies (``BodyHasMedia`` tells media lessons in SQL), so a course
    of 50 lessons costs little more than one of 5.

    Two queries whatever the number of lessons: the lessons with progress, and ``course_header``
    (the enrolment and the cross-selling labels; a ``preview`` labels the draft's own companies),
    or one when the caller passes the ``header`` it has read already.
    """
    lessons = LessonPage.objects.live().child_of(course).annotate(is_media=BodyHasMedia("body"))
    if person is not None:
        lessons = lessons.annotate(
            # At most one row per lesson: progress is unique per person and lesson.
            progress=FilteredRelation(
                "progress_records", condition=Q(progress_records__person=person)
            ),
            progress_completed_at=F("progress__completed_at"),
            progress_watched_seconds=F("progress__watched_seconds"),
        )
    else:
        lessons = lessons.annotate(
            progress_completed_at=Value(None, DateTimeField()),
            progress_watched_seconds=Value(None, FloatField()),
        )
    rows = lessons.order_by("path").values_list(
        "pk",
        "title",
        "slug",
        "required",
        "estimated_minutes",
        "is_media",
        "progress_completed_at",
        "progress_watched_seconds",
    )
    if course_url is None:
        course_url = course.url
    outline_lessons = []
    next_lesson = None
    for pk, title, slug, required, minutes, is_media, completed_at, watched in rows:
        lesson = OutlineLesson(
            pk=pk,
            title=title,
            slug=slug,
            required=required,
            estimated_minutes=minutes,
            is_media=is_media,
            href=child_page_url(course_url, slug),
            is_done=completed_at is not None,
            is_watching=completed_at is None and bool(watched),
        )
        if next_lesson is None and not lesson.is_done:
            lesson.is_next = True
            next_lesson = lesson
        outline_lessons.append(lesson)
    if header is None:
        header = course_header(course=course, person=person, preview=preview)
    counted = [lesson for lesson in outline_lessons if lesson.required] or outline_lessons
    return CourseOutline(
        course=course,
        enrollment=header.enrollment,
        lessons=outline_lessons,
        required_count=len(counted),
        required_done=sum(1 for lesson in counted if lesson.is_done),
        next_lesson=next_lesson,
        cross_selling_pairs=header.cross_selling_pairs,
    )


@dataclass
class CourseHeader:
    """What the course page shows above its lessons, and whether the course is open to the
    person (``is_open``: ``course_open_to`` read from the same row)."""

    enrollment: Enrollment | None
    cross_selling_pairs: list[str]
    is_open: bool


# What the course page shows of the person's enrolment; its other fields load if read.
HEADER_ENROLLMENT_FIELDS = ("id", "status", "percent", "due_date")


def course_header(
    *, course: CoursePage, person: Person | None, preview: bool = False
) -> CourseHeader:
    """The person's enrolment, the cross-selling labels and whether the course is open to the
    person, in one query: the course row joined to its owning company, its audience companies (a
    row each), the person's channel among its audience channels and the person's enrolment (one
    at most). ``is_open`` is ``course_open_to``'s rule on these: live, and the person's company and
    channel in the audience, or enrolled.

    Primes ``course.owning_company`` (its id and name), whose name the page shows. A ``preview``
    labels the pairs from the draft's own companies, which may not be saved yet.
    """
    header = CoursePage.objects.filter(pk=course.pk).order_by("audience_companies__path")
    columns = ["live", "owning_company__name", "audience_companies__id", "audience_companies__name"]
    company_id = None
    if person is not None:
        company_id = _company_of(person)
        header = header.annotate(
            mine=FilteredRelation("enrollments", condition=Q(enrollments__person=person)),
            my_channel=FilteredRelation(
                "audience_channel_rows",
                condition=Q(audience_channel_rows__channel=person.channel),
            ),
        )
        columns += ["my_channel__id", *(f"mine__{name}" for name in HEADER_ENROLLMENT_FIELDS)]
        if isinstance(company_id, Subquery):
            header = header.annotate(viewer_company_id=company_id)
            columns.append("viewer_company_id")
    rows = list(header.values(*columns))
    if not rows:  # a draft never saved, in preview
        return CourseHeader(
            enrollment=None, cross_selling_pairs=course.cross_selling_pairs, is_open=False
        )
    first = rows[0]
    audience_ids = {row["audience_companies__id"] for row in rows}
    enrollment, is_open = None, False
    if person is not None:
        if first["mine__id"] is not None:
            loaded = {name: first[f"mine__{name}"] for name in HEADER_ENROLLMENT_FIELDS}
            enrollment = _loaded(
                Enrollment, {"person_id": person.pk, "course_id": course.pk, **loaded}, db=header.db
            )
            enrollment.person, enrollment.course = person, course
        company_id = first.get("viewer_company_id", company_id)
        in_audience = (
            company_id is not None
            and company_id in audience_ids
            and first["my_channel__id"] is not None
        )
        is_open = first["live"] and (in_audience or enrollment is not None)
    if preview:
        pairs = course.cross_selling_pairs
    else:
        owner = _loaded(
            OrgUnit,
            {"id": course.owning_company_id, "name": first["owning_company__name"]},
            db=header.db,
        )
        course.owning_company = owner
        audience = [
            _loaded(
                OrgUnit,
                {"id": row["audience_companies__id"], "name": row["audience_companies__name"]},
                db=header.db,
            )
            for row in rows
            if row["audience_companies__id"] is not None
        ]
        # The owner is labelled once whether or not it is also in the audience; the labels skip it.
        pairs = cross_selling_labels(owner, audience)
    return CourseHeader(enrollment=enrollment, cross_selling_pairs=pairs, is_open=is_open)


def _loaded(model, values: dict, *, db: str):
    """An instance of ``model`` with ``values`` loaded, as ``.only()`` would load it: its other
    fields are deferred and load if read."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, names, [values[name] for name in names])


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
    lesson.__dict__["course"] = _course_of_lesson(
        lesson.path,
        pk=lesson.course_pk,
        owning_company_id=lesson.course_owner_id,
        completion_rule=lesson.course_rule,
    )
    return lesson


def _course_of_lesson(
    lesson_path: str, *, pk: int, owning_company_id: int | None, completion_rule: str
) -> CoursePage:
    """The parent course of the lesson at ``lesson_path`` as a page with its id, place in the
    tree, owner and completion rule loaded; its other fields load if ever read."""
    loaded = {
        "id": pk,
        "path": lesson_path[:-STEPLEN],
        "depth": len(lesson_path) // STEPLEN - 1,
        "page_ptr_id": pk,
        "owning_company_id": owning_company_id,
        "completion_rule": completion_rule,
    }
    names = [f.attname for f in CoursePage._meta.concrete_fields if f.attname in loaded]
    return CoursePage.from_db(DEFAULT_DB_ALIAS, names, [loaded[name] for name in names])


# How long a lesson's heartbeat facts stay cached. Every change to a lesson, a course or a media
# item forgets them at once where the cache is shared (``heartbeat_lessons_changed``); with a
# cache of each process's own, the other processes see the change within this time.
HEARTBEAT_LESSON_CACHE_SECONDS = 60
_GENERATION_KEY = "courses:heartbeat-lessons:generation"


@dataclass(frozen=True)
class HeartbeatLesson:
    """What a player heartbeat needs of a live lesson, without loading the page or parsing its
    body: the tracked media (``media_id`` None for a text lesson) and its probed ``duration`` (0
    while unprocessed), the course (``course``: a page with id, place, owner and completion rule)
    and the course's audience. ``generation`` is the cache generation it was read in."""

    pk: int
    path: str
    media_id: int | None
    duration: float
    course_id: int
    course_live: bool
    owning_company_id: int | None
    completion_rule: str
    audience_company_ids: frozenset[int]
    audience_channels: frozenset[str]
    generation: str

    @cached_property
    def course(self) -> CoursePage:
        return _course_of_lesson(
            self.path,
            pk=self.course_id,
            owning_company_id=self.owning_company_id,
            completion_rule=self.completion_rule,
        )

    def in_audience(self, person: Person) -> bool:
        """The live course's audience holds the person's company and channel: the audience case
        of ``course_open_to`` (``_audience_q``) read from the cached audience, no query when the
        person's org unit is loaded. Enrolment outside the audience is not looked at."""
        return (
            self.course_live
            and person.org_unit.company_id in self.audience_company_ids
            and person.channel in self.audience_channels
        )


def heartbeat_lessons_changed() -> None:
    """Forget every cached ``HeartbeatLesson``: a lesson, a course or a media item changed.
    Called by ``courses.receivers`` on every save, publication, move and deletion of those."""
    cache.set(_GENERATION_KEY, uuid.uuid4().hex, None)


def _current_generation() -> str:
    """The cache generation, started when the cache holds none (new, cleared or evicted)."""
    cache.add(_GENERATION_KEY, uuid.uuid4().hex, None)
    return cache.get(_GENERATION_KEY)


def _load_heartbeat_lesson(*, lesson_id: int, generation: str) -> HeartbeatLesson | None:
    """The facts read from the pages: five queries (lesson, course, audience companies and
    channels, media), the lesson's body parsed once."""
    lesson = LessonPage.objects.live().filter(pk=lesson_id).first()
    if lesson is None:
        return None
    course = CoursePage.objects.filter(path=lesson.path[:-STEPLEN]).first()
    if course is None:
        return None
    companies = CoursePage.audience_companies.through.objects.filter(coursepage_id=course.pk)
    channels = CourseAudienceChannel.objects.filter(course_id=course.pk)
    media = lesson.tracked_media
    return HeartbeatLesson(
        pk=lesson.pk,
        path=lesson.path,
        media_id=media.pk if media is not None else None,
        duration=float(media.duration or 0) if media is not None else 0.0,
        course_id=course.pk,
        course_live=course.live,
        owning_company_id=course.owning_company_id,
        completion_rule=course.completion_rule,
        audience_company_ids=frozenset(companies.values_list("orgunit_id", flat=True)),
        audience_channels=frozenset(channels.values_list("channel", flat=True)),
        generation=generation,
    )


def heartbeat_lesson(*, lesson_id: int) -> HeartbeatLesson | None:
    """The live lesson's ``HeartbeatLesson``, or None when there is no such live lesson.

    Cached per lesson: no query while nothing changed since (one cache read of the facts and
    the generation); five queries to read them again. Facts of a media lesson whose media is not
    processed yet are not kept, since the task worker that processes it may run elsewhere.
    """
    # The version in the key keeps facts pickled by an older release out of a shared cache.
    key = f"courses:heartbeat-lesson:v1:{lesson_id}"
    found = cache.get_many([key, _GENERATION_KEY])
    generation = found.get(_GENERATION_KEY)
    cached = found.get(key)
    if cached is not None and generation is not None and cached.generation == generation:
        return cached
    if generation is None:
        generation = _current_generation()
    facts = _load_heartbeat_lesson(lesson_id=lesson_id, generation=generation)
    if facts is not None and (facts.media_id is None or facts.duration > 0):
        cache.set(key, facts, HEARTBEAT_LESSON_CACHE_SECONDS)
    return facts


@dataclass
class LessonStudy:
    lesson: LessonPage
    course: CoursePage
    progress: LessonProgress | None
    media: object | None
    resume_at: float
    previous_lesson: Page | None = None
    next_lesson: Page | None = None


def lesson_for_study(*, lesson: LessonPage, person: Person | None) -> LessonStudy:
    """What the lesson page needs: its course, the tracked media, where to resume, and the live
    lessons before and after it in the course (drafts are skipped). Two queries."""
    progress = None
    if person is not None:
        progress = LessonProgress.objects.filter(person=person, lesson=lesson).first()
    media = lesson.tracked_media
    resume_at = 0.0
    if progress is not None and media is not None and not progress.is_completed:
        resume_at = progress.last_position
    previous_lesson, next_lesson = _neighbour_lessons(lesson)
    return LessonStudy(
        lesson=lesson,
        course=lesson.course,
        progress=progress,
        media=media,
        resume_at=resume_at,
        previous_lesson=previous_lesson,
        next_lesson=next_lesson,
    )


def _neighbour_lessons(lesson: LessonPage) -> tuple[Page | None, Page | None]:
    """The live siblings just before and after ``lesson`` in the course's order, in one query.

    Plain ``Page`` rows with what a link needs (title and URL path): a course has tens of
    lessons, so reading them all is cheaper than two ordered look-ups.
    """
    siblings = list(
        Page.objects.live()
        .sibling_of(lesson, inclusive=False)
        .only("title", "url_path", "path", "depth")
        .order_by("path")
    )
    before = [page for page in siblings if page.path < lesson.path]
    after = [page for page in siblings if page.path > lesson.path]
    return (before[-1] if before else None, after[0] if after else None)


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


def audience_people(*, root: OrgUnit, company_ids=(), channels=(), roles=()) -> QuerySet:
    """Active people in an audience: the subtree under ``root`` × companies × channels × roles,
    an empty list meaning "all". Shared by assignments and by the apps to the right that name an
    audience the same way (lecturer_portal's training sessions)."""
    people = Person.objects.active().filter(org_unit__path__startswith=root.path)
    if company_ids:
        people = people.filter(org_unit__company_id__in=list(company_ids))
    if channels:
        people = people.filter(channel__in=list(channels))
    if roles:
        memberships = get_user_model().groups.through.objects.filter(
            user_id=OuterRef("user_id"), group__name__in=list(roles)
        )
        people = people.filter(Exists(memberships))
    return people


def assignment_audience(assignment: Assignment) -> QuerySet:
    """Active people in the assignment's audience: subtree × companies × channels × roles."""
    return audience_people(
        root=assignment.audience_root,
        company_ids=[company.pk for company in assignment.audience_companies.all()],
        channels=assignment.channels,
        roles=assignment.roles,
    )


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
