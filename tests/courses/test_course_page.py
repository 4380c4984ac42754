"""The course page's lesson list as it is read for speed: lesson kinds told in SQL, links built from
the course's URL, the header row that answers the view rule, the cover from the cache, and the
lesson list cached per content (so never one learner's progress shown to another)."""

import io

import pytest
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model

from courses.models import CoursePage, EnrollmentSource, EnrollmentStatus, LessonPage
from courses.selectors import course_header, course_open_to, course_outline
from courses.services import enrollment_get_or_create, lesson_mark_done
from organization.models import Channel, Person, Role

from .factories import make_course, make_lesson, make_video


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def lesson_with_body(
    course: CoursePage, *, slug: str, body: list, title: str = "课时"
) -> LessonPage:
    lesson = LessonPage(title=title, slug=slug, body=body)
    course.add_child(instance=lesson)
    lesson.save_revision().publish()
    return lesson


def make_cover():
    buffer = io.BytesIO()
    PILImage.new("RGB", (1500, 840), (200, 30, 40)).save(buffer, "JPEG")
    return get_image_model().objects.create(
        title="课程封面", file=ImageFile(buffer, name="cover.jpg")
    )


def test_the_outline_tells_media_lessons_from_text_lessons_as_the_lesson_itself_does(
    tree, p_agent, clip
):
    course = make_course(owner=tree["P"])
    media = make_video(clip)
    lessons = [
        make_lesson(course),
        make_lesson(course, media=media),
        lesson_with_body(
            course,
            slug="audio-after-a-heading",
            body=[("heading", {"text": "导读", "level": "h2"}), ("audio", media)],
        ),
        # The words of a block are not its type.
        lesson_with_body(
            course,
            slug="text-about-video",
            body=[("rich_text", '<p>"type": "video" 不是视频</p>')],
        ),
    ]

    outline = course_outline(course=course, person=p_agent)

    assert [lesson.kind for lesson in outline.lessons] == ["text", "media", "media", "text"]
    assert [lesson.kind for lesson in outline.lessons] == [
        LessonPage.objects.get(pk=lesson.pk).kind for lesson in lessons
    ]


def test_lesson_links_are_the_lessons_own_urls_also_for_chinese_slugs(client, tree, p_agent):
    course = make_course(owner=tree["P"])
    lessons = [
        make_lesson(course),
        lesson_with_body(course, slug="寿险基础", body=[("rich_text", "<p>正文</p>")]),
    ]
    client.force_login(p_agent.user)

    html = html_of(client.get(course.url))

    assert "%E5%AF%BF" in lessons[1].url
    for lesson in lessons:
        assert f'href="{lesson.url}"' in html


def test_the_cover_costs_no_query_once_its_rendition_is_made(client, tree, p_agent):
    with_cover = make_course(owner=tree["P"], cover_image=make_cover())
    without_cover = make_course(owner=tree["P"])
    counts = []
    client.force_login(p_agent.user)
    for course in (with_cover, without_cover):
        make_lesson(course)
        html_of(client.get(course.url))  # makes the rendition, warms the site's root paths
        with CaptureQueriesContext(connection) as queries:
            html_of(client.get(course.url))
        counts.append(len(queries))
    rendition = with_cover.cover_image.get_rendition("fill-750x420")
    assert f'src="{rendition.url}"' in html_of(client.get(with_cover.url))
    assert counts[0] == counts[1]


def _lesson_items(html: str) -> list[str]:
    return html.split('<li class="lesson-item')[1:]


def test_each_learner_sees_their_own_progress_in_the_lesson_list(client, tree, person_factory):
    course = make_course(owner=tree["P"])
    first, second = make_lesson(course), make_lesson(course)
    ann, bob = (person_factory(tree["PGZ0101"], Role.AGENT) for _ in range(2))
    lesson_mark_done(person=ann, lesson=first, at=timezone.now())

    client.force_login(ann.user)
    ann_items = _lesson_items(html_of(client.get(course.url)))
    client.force_login(bob.user)
    bob_items = _lesson_items(html_of(client.get(course.url)))
    lesson_mark_done(person=bob, lesson=second, at=timezone.now())
    bob_after = _lesson_items(html_of(client.get(course.url)))
    client.force_login(ann.user)
    ann_again = _lesson_items(html_of(client.get(course.url)))

    def done(items):
        return ["is-done" in item.split(">", 1)[0] for item in items]

    assert done(ann_items) == done(ann_again) == [True, False]
    assert done(bob_items) == [False, False]
    assert done(bob_after) == [False, True]
    assert "is-next" in ann_items[1].split(">", 1)[0] and "is-next" in bob_after[0].split(">", 1)[0]


@pytest.mark.parametrize("org_unit_loaded", [True, False])
def test_the_header_answers_the_view_rule_as_the_rule_does(tree, person_factory, org_unit_loaded):
    course = make_course(owner=tree["L"], audience=[tree["P"]], channels=[Channel.AGENT_FORCE])
    unpublished = make_course(owner=tree["L"], audience=[tree["P"]])
    unpublished.unpublish()
    people = {
        "audience": person_factory(tree["PGZ0101"], Role.AGENT),
        "other channel": person_factory(tree["PGZ0101"], channel=Channel.COUNTER),
        "other company": person_factory(tree["HGZ0101"]),
        "enrolled outside": person_factory(tree["HGZ0101"]),
    }
    enrollment_get_or_create(
        person=people["enrolled outside"], course=course, source=EnrollmentSource.ASSIGNED
    )
    if not org_unit_loaded:
        people = {name: Person.objects.get(pk=person.pk) for name, person in people.items()}
        assert not any(Person.org_unit.is_cached(person) for person in people.values())

    answers = {
        (name, target.pk == course.pk): (
            course_header(course=target, person=person).is_open,
            course_open_to(person=person, course=target),
        )
        for name, person in people.items()
        for target in (course, unpublished)
    }

    expected = {
        ("audience", True): True,
        ("other channel", True): False,
        ("other company", True): False,
        ("enrolled outside", True): True,
    }
    for (name, is_live_course), (header, rule) in answers.items():
        assert header == rule == expected.get((name, is_live_course), False), name


def test_the_header_reads_the_enrolment_and_labels_with_the_owner_once(tree, p_agent):
    course = make_course(owner=tree["L"], audience=[tree["P"], tree["L"], tree["H"]])
    enrollment_get_or_create(person=p_agent, course=course, source=EnrollmentSource.SELF)
    course = CoursePage.objects.get(pk=course.pk)

    with CaptureQueriesContext(connection) as queries:
        header = course_header(course=course, person=p_agent)
        owner_name = course.owning_company.name

    assert len(queries) == 1
    assert owner_name == tree["L"].name
    assert sorted(header.cross_selling_pairs) == ["产代寿", "健代寿"]
    assert (header.enrollment.status, header.enrollment.percent) == (
        EnrollmentStatus.NOT_STARTED,
        0,
    )
    assert header.enrollment.source == EnrollmentSource.SELF  # deferred, loads when read


def test_a_course_without_live_lessons_still_shows_the_enrolment(tree, p_agent):
    course = make_course(owner=tree["P"])
    make_lesson(course, live=False)
    enrollment_get_or_create(person=p_agent, course=course, source=EnrollmentSource.SELF)

    outline = course_outline(course=course, person=p_agent)

    assert outline.lessons == [] and outline.next_lesson is None
    assert outline.enrollment is not None
