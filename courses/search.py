"""The front-end search (``/search/``): courses, lessons, morning meetings and training media.

Every kind is searched with the site's Chinese backend (``config.search``: jieba segmentation, so
a word inside a sentence is found) over only the rows the person may open, by the same rules as the
detail pages (``courses.rules``): live courses in their audience or that they are enrolled in, the
live lessons of those courses, the live meetings of their company and the group-wide ones, and
the media used in those lessons or meetings. Editors look for drafts and other companies' pages in
the admin, whose search goes through the same backend.

Results come kind after kind (courses, lessons, meetings, media), each kind by relevance. The open
courses are read first (one small query: keys, paths, titles); each kind is then one search,
narrowed to what is open, that returns the keys of all its matches, best first
(``config.search.backend.ranked_pks``, which on PostgreSQL starts from the text index): their
number is the kind's count, and a page loads only the rows it shows.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast, Left, Length
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, ReferenceIndex

from config.search.backend import ranked_pks
from config.search.highlight import excerpt, highlight
from media_library.models import ProcessingStatus, TrainingMedia
from organization.models import Person

from .models import CoursePage, Enrollment, LessonPage, MorningMeetingPage
from .selectors import _audience_q, morning_meetings_for_person

KIND_LABELS = {
    "course": _("课程"),
    "lesson": _("课时"),
    "meeting": _("晨会"),
    "media": _("音视频"),
}
STEPLEN = Page.steplen
BODY_FIELD = LessonPage._meta.get_field("body")


# What a person may open. -----------------------------------------------------------------------


def open_courses(person: Person) -> QuerySet:
    """Live courses in the person's audience or enrolled in: ``selectors.course_open_to`` (the
    rule of ``courses.view_course``) for every course at once."""
    enrolled = Enrollment.objects.filter(course_id=OuterRef("pk"), person=person)
    return CoursePage.objects.live().filter(_audience_q(person) | Q(Exists(enrolled)))


def open_lesson_ids(course_paths: list[str]) -> QuerySet:
    """Ids of the live lessons under the courses at ``course_paths`` (``courses.study_lesson``)."""
    return (
        Page.objects.live()
        .alias(course_path=Left("path", Length("path") - STEPLEN))
        .filter(course_path__in=course_paths)
        .values("pk")
    )


def open_meetings(person: Person) -> QuerySet:
    return morning_meetings_for_person(person=person)


def _lesson_media_references(course_paths: list[str]) -> QuerySet:
    """Reference-index rows from the open lessons (under ``course_paths``) to training media."""
    lesson_ids = open_lesson_ids(course_paths).annotate(pk_text=Cast("pk", CharField()))
    return ReferenceIndex.objects.filter(
        content_type=ContentType.objects.get_for_model(LessonPage),
        to_content_type=ContentType.objects.get_for_model(TrainingMedia),
        object_id__in=lesson_ids.values("pk_text"),
    )


def open_media(person: Person, course_paths: list[str]) -> QuerySet:
    """Playable media used in an open lesson (under ``course_paths``, the paths of
    ``open_courses(person)``) or meeting (``media_library.view_media``)."""
    used = Q(pk__in=open_meetings(person).filter(video__isnull=False).values("video_id"))
    if course_paths:
        in_lessons = (
            _lesson_media_references(course_paths)
            .annotate(media_pk=Cast("to_object_id", BigIntegerField()))
            .values("media_pk")
        )
        used |= Q(pk__in=in_lessons)
    return TrainingMedia.objects.filter(used, status=ProcessingStatus.READY)


# Searching -------------------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str
    kind_label: str
    title: SafeString
    excerpt: SafeString
    url: str
    context: str = ""


class ChainedResults:
    """Several kinds' matches (keys, best first) one after another, as ``Paginator`` needs them:
    ``count()`` and slicing; a slice loads the rows of the kinds it reaches, one query each."""

    def __init__(self, parts: list[tuple[str, list]], load):
        self.parts = parts
        self.load = load

    def count(self) -> int:
        return sum(len(pks) for _kind, pks in self.parts)

    def __getitem__(self, index: slice) -> list[tuple[str, object]]:
        start, stop = index.start or 0, index.stop
        items, offset = [], 0
        for kind, pks in self.parts:
            low, high = max(start - offset, 0), min(stop - offset, len(pks))
            if low < high:
                items.extend((kind, item) for item in self.load(kind, pks[low:high]))
            offset += len(pks)
            if offset >= stop:
                break
        return items


class PersonSearch:
    """One person's search: counts per kind, the results of the chosen kind (or all), highlights."""

    def __init__(self, *, person: Person, query: str, kind: str = ""):
        self.person = person
        self.query = query
        self.kind = kind if kind in KIND_LABELS else ""
        courses = list(open_courses(person).values_list("pk", "path", "title"))
        # Titles by path: a lesson hit names its course (the lesson's parent path).
        self.course_titles = {path: title for _pk, path, title in courses}
        paths = list(self.course_titles)
        searched = {"meeting": open_meetings(person), "media": open_media(person, paths)}
        if courses:
            searched["course"] = CoursePage.objects.filter(pk__in=[pk for pk, _p, _t in courses])
            searched["lesson"] = LessonPage.objects.filter(pk__in=open_lesson_ids(paths))
        self._pks = {
            kind: ranked_pks(searched[kind], query, operator="and") if kind in searched else []
            for kind in KIND_LABELS
        }

    @staticmethod
    def _load(kind: str, pks: list) -> list:
        """The rows of ``pks``, in that order."""
        rows = {
            "course": CoursePage.objects.all(),
            "lesson": LessonPage.objects.all(),
            "meeting": MorningMeetingPage.objects.select_related("company"),
            "media": TrainingMedia.objects.prefetch_related("tags"),
        }[kind].in_bulk(pks)
        return [rows[pk] for pk in pks if pk in rows]

    @cached_property
    def counts(self) -> dict[str, int]:
        return {kind: len(pks) for kind, pks in self._pks.items()}

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def tabs(self) -> list[dict]:
        return [
            {"kind": kind, "label": label, "count": self.counts[kind]}
            for kind, label in KIND_LABELS.items()
        ]

    @property
    def results(self) -> ChainedResults:
        kinds = [self.kind] if self.kind else list(KIND_LABELS)
        return ChainedResults([(kind, self._pks[kind]) for kind in kinds], self._load)

    def highlight(self, items: list[tuple[str, object]], request=None) -> list[Hit]:
        """The hits of one page, in order, with the matched words marked."""
        media_urls = self._media_urls([item for kind, item in items if kind == "media"], request)
        hits = []
        for kind, item in items:
            if kind == "course":
                text, url, context = item.summary, item.get_url(request), ""
            elif kind == "lesson":
                text = " ".join(BODY_FIELD.get_searchable_content(item.body))
                url, context = (
                    item.get_url(request),
                    self.course_titles.get(item.path[:-STEPLEN], ""),
                )
            elif kind == "meeting":
                text = " ".join([item.topic, *item.key_point_list])
                url, context = item.get_url(request), f"{item.meeting_date:%Y-%m-%d}"
                if item.company is not None:
                    context = f"{context} · {item.company.name}"
            else:
                text = " ".join(tag.name for tag in item.tags.all())
                url = media_urls.get(item.pk, "")
                context = f"{item.type_label} · {item.duration_label}"
            hits.append(
                Hit(
                    kind=kind,
                    kind_label=KIND_LABELS[kind],
                    title=highlight(item.title, self.query),
                    excerpt=excerpt(text, self.query),
                    url=url,
                    context=context,
                )
            )
        return hits

    def _media_urls(self, media: list[TrainingMedia], request) -> dict[int, str]:
        """Where each media hit is watched: a lesson or meeting that uses it and is open to the
        person."""
        if not media:
            return {}
        media_ids = [item.pk for item in media]
        page_of_media = {}
        if self.course_titles:
            references = (
                _lesson_media_references(list(self.course_titles))
                .filter(to_object_id__in=[str(pk) for pk in media_ids])
                .order_by("object_id")
                .values_list("to_object_id", "object_id")
            )
            for media_pk, lesson_pk in references:
                page_of_media.setdefault(int(media_pk), int(lesson_pk))
        meetings = (
            open_meetings(self.person).filter(video_id__in=media_ids).values_list("video_id", "pk")
        )
        for media_pk, meeting_pk in meetings:
            page_of_media.setdefault(media_pk, meeting_pk)
        pages = Page.objects.in_bulk(set(page_of_media.values()))
        return {
            media_pk: pages[page_pk].get_url(request)
            for media_pk, page_pk in page_of_media.items()
            if page_pk in pages
        }


def search_for_person(*, person: Person, query: str, kind: str = "") -> PersonSearch:
    return PersonSearch(person=person, query=query, kind=kind)
