"""The front-end search (``/search/``): courses, lessons, morning meetings and training media.

Every kind is searched with the site's Chinese backend (``config.search``: jieba segmentation, so
a word inside a sentence is found) over only the rows the person may open, by the same rules as the
detail pages (``courses.rules``): live courses in their audience or that they are enrolled in, the
live lessons of those courses, the live meetings of their company and the group-wide ones, and
the media used in those lessons or meetings. Editors look for drafts and other companies' pages in
the admin, whose search goes through the same backend.

Results come kind after kind (courses, lessons, meetings, media), each kind by relevance; a page of
results costs a count per kind and a slice of the kinds the page spans, whatever the number of hits.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, CharField, Q, QuerySet
from django.db.models.functions import Cast, Left, Length
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, ReferenceIndex
from wagtail.search.backends import get_search_backend

from config.search.highlight import excerpt, highlight
from media_library.models import ProcessingStatus, TrainingMedia
from organization.models import Person

from .models import CoursePage, Enrollment, LessonPage, MorningMeetingPage
from .selectors import catalogue_for_person, morning_meetings_for_person

KIND_LABELS = {
    "course": _("课程"),
    "lesson": _("课时"),
    "meeting": _("晨会"),
    "media": _("音视频"),
}
STEPLEN = Page.steplen
# The most media matches looked at (see PersonSearch._media_results).
MEDIA_MATCHES = 500
BODY_FIELD = LessonPage._meta.get_field("body")


# What a person may open, as querysets a search can be narrowed to (``pk__in``). ------------------


def open_courses(person: Person) -> QuerySet:
    """Live courses in the person's audience or enrolled in (``courses.view_course``)."""
    audience = catalogue_for_person(person=person).values("pk")
    enrolled = Enrollment.objects.filter(person=person).values("course_id")
    return CoursePage.objects.live().filter(Q(pk__in=audience) | Q(pk__in=enrolled))


def open_lessons(person: Person) -> QuerySet:
    """Live lessons of the courses above (``courses.study_lesson``)."""
    return (
        LessonPage.objects.live()
        .alias(course_path=Left("path", Length("path") - STEPLEN))
        .filter(course_path__in=open_courses(person).values("path"))
    )


def open_meetings(person: Person) -> QuerySet:
    return morning_meetings_for_person(person=person)


def _open_lesson_references(person: Person) -> QuerySet:
    """Reference-index rows from the open lessons to training media."""
    lesson_ids = open_lessons(person).annotate(pk_text=Cast("pk", CharField())).values("pk_text")
    return ReferenceIndex.objects.filter(
        content_type=ContentType.objects.get_for_model(LessonPage),
        to_content_type=ContentType.objects.get_for_model(TrainingMedia),
        object_id__in=lesson_ids,
    )


def open_media(person: Person) -> QuerySet:
    """Playable media used in an open lesson or meeting (``media_library.view_media``)."""
    in_lessons = (
        _open_lesson_references(person)
        .annotate(media_pk=Cast("to_object_id", BigIntegerField()))
        .values("media_pk")
    )
    in_meetings = open_meetings(person).filter(video__isnull=False).values("video_id")
    return TrainingMedia.objects.filter(
        Q(pk__in=in_lessons) | Q(pk__in=in_meetings), status=ProcessingStatus.READY
    )


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
    """Several kinds' search results one after another, as ``Paginator`` needs them: ``count()``
    and slicing, each kind counted once and sliced only where a page reaches it."""

    def __init__(self, parts: list[tuple[str, object]], counts: dict[str, int]):
        self.parts = parts
        self.counts = counts

    def count(self) -> int:
        return sum(self.counts[kind] for kind, _results in self.parts)

    def __getitem__(self, index: slice) -> list[tuple[str, object]]:
        start, stop = index.start or 0, index.stop
        items, offset = [], 0
        for kind, results in self.parts:
            size = self.counts[kind]
            low, high = max(start - offset, 0), min(stop - offset, size)
            if low < high:
                items.extend((kind, item) for item in results[low:high])
            offset += size
            if offset >= stop:
                break
        return items


class PersonSearch:
    """One person's search: counts per kind, the results of the chosen kind (or all), highlights."""

    def __init__(self, *, person: Person, query: str, kind: str = ""):
        self.person = person
        self.query = query
        self.kind = kind if kind in KIND_LABELS else ""
        backend = get_search_backend()
        searched = {
            "course": CoursePage.objects.filter(pk__in=open_courses(person).values("pk")),
            "lesson": LessonPage.objects.filter(pk__in=open_lessons(person).values("pk")),
            "meeting": MorningMeetingPage.objects.filter(
                pk__in=open_meetings(person).values("pk")
            ).select_related("company"),
        }
        self._results = {
            kind: backend.search(query, queryset, operator="and")
            for kind, queryset in searched.items()
        }
        self._results["media"] = self._media_results(backend)

    def _media_results(self, backend) -> list[TrainingMedia]:
        """Media matching the query that the person may open, by relevance.

        ``TrainingMedia.search_fields`` has no ``FilterField("id")``, so a search cannot be narrowed
        to ``pk__in`` (modelsearch refuses it): the ids of the first ``MEDIA_MATCHES`` matches of
        the playable media come first, then one query keeps the open ones.
        """
        playable = TrainingMedia.objects.filter(status=ProcessingStatus.READY).only("pk")
        matches = backend.search(self.query, playable, operator="and")[:MEDIA_MATCHES]
        rank = {item.pk: position for position, item in enumerate(matches)}
        if not rank:
            return []
        found = open_media(self.person).filter(pk__in=rank).prefetch_related("tags")
        return sorted(found, key=lambda item: rank[item.pk])

    @cached_property
    def counts(self) -> dict[str, int]:
        return {
            kind: len(results) if isinstance(results, list) else results.count()
            for kind, results in self._results.items()
        }

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
        return ChainedResults([(kind, self._results[kind]) for kind in kinds], self.counts)

    def highlight(self, items: list[tuple[str, object]], request=None) -> list[Hit]:
        """The hits of one page, in order, with the matched words marked."""
        course_titles = self._course_titles([item for kind, item in items if kind == "lesson"])
        media_urls = self._media_urls([item for kind, item in items if kind == "media"], request)
        hits = []
        for kind, item in items:
            if kind == "course":
                text, url, context = item.summary, item.get_url(request), ""
            elif kind == "lesson":
                text = " ".join(BODY_FIELD.get_searchable_content(item.body))
                url, context = item.get_url(request), course_titles.get(item.path[:-STEPLEN], "")
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

    @staticmethod
    def _course_titles(lessons: list[LessonPage]) -> dict[str, str]:
        paths = {lesson.path[:-STEPLEN] for lesson in lessons}
        if not paths:
            return {}
        return dict(CoursePage.objects.filter(path__in=paths).values_list("path", "title"))

    def _media_urls(self, media: list[TrainingMedia], request) -> dict[int, str]:
        """Where each media hit is watched: a lesson or meeting that uses it and is open to the
        person."""
        if not media:
            return {}
        media_ids = [item.pk for item in media]
        references = (
            _open_lesson_references(self.person)
            .filter(to_object_id__in=[str(pk) for pk in media_ids])
            .order_by("object_id")
            .values_list("to_object_id", "object_id")
        )
        page_of_media = {}
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
