import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from courses.models import (
    CourseIndexPage,
    CoursePage,
    LessonKind,
    LessonPage,
    MorningMeetingIndexPage,
    MorningMeetingPage,
)
from organization.models import Channel, Role
from tests.organization.factories import build_tree, make_person

from .factories import make_course, make_lesson, make_video


class PageTreeTests(WagtailPageTestCase):
    def test_the_catalogue_and_meeting_index_hang_under_the_site_root(self):
        self.assertAllowedParentPageTypes(CourseIndexPage, {Page})
        self.assertAllowedParentPageTypes(MorningMeetingIndexPage, {Page})
        self.assertCanCreateAt(Page, CourseIndexPage)
        self.assertCanCreateAt(Page, MorningMeetingIndexPage)

    def test_courses_live_in_the_catalogue_and_lessons_in_courses(self):
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})
        self.assertAllowedSubpageTypes(CoursePage, {LessonPage})
        self.assertAllowedParentPageTypes(LessonPage, {CoursePage})
        self.assertAllowedSubpageTypes(LessonPage, set())
        self.assertCanNotCreateAt(Page, CoursePage)
        self.assertCanNotCreateAt(CourseIndexPage, LessonPage)

    def test_meetings_live_in_the_meeting_index(self):
        self.assertAllowedSubpageTypes(MorningMeetingIndexPage, {MorningMeetingPage})
        self.assertAllowedParentPageTypes(MorningMeetingPage, {MorningMeetingIndexPage})
        self.assertAllowedSubpageTypes(MorningMeetingPage, set())

    def test_migrations_made_one_catalogue_and_one_meeting_index(self):
        catalogue = CourseIndexPage.objects.get()
        index = MorningMeetingIndexPage.objects.get()
        self.assertEqual(catalogue.url_path, "/home/courses/")
        self.assertEqual(index.url_path, "/home/morning-meetings/")
        self.assertFalse(CourseIndexPage.can_create_at(catalogue.get_parent()))

    def test_courses_and_lessons_are_routable(self):
        tree = build_tree()
        course = make_course(owner=tree["L"], audience=[tree["P"]])
        lesson = make_lesson(course)
        self.assertPageIsRoutable(CourseIndexPage.objects.get())
        self.assertPageIsRoutable(course)
        self.assertPageIsRoutable(lesson)
        self.assertEqual(lesson.url, f"/courses/{course.slug}/{lesson.slug}/")


class LecturerCreatesCourseTests(WagtailPageTestCase):
    def setUp(self):
        self.tree = build_tree()
        self.lecturer = make_person(self.tree["PGZ"], Role.LECTURER)
        self.client.force_login(self.lecturer.user)

    def test_a_lecturer_creates_and_publishes_a_course_of_their_company(self):
        catalogue = CourseIndexPage.objects.get()
        data = nested_form_data(
            {
                "title": "车险产品与交叉销售",
                "slug": "auto-cross-selling",
                "summary": "面向寿险业务员的车险基础课程。",
                "estimated_minutes": "45",
                "owning_company": str(self.tree["P"].pk),
                "completion_rule": "all_required_lessons",
                "topic_tags": "车险, 交叉销售",
                "product_tags": "交强险",
            }
        )
        data["audience_companies"] = [str(self.tree["L"].pk)]
        data["audience_channels"] = [Channel.AGENT_FORCE, Channel.COUNTER]
        self.assertCanCreate(catalogue, CoursePage, data)
        course = CoursePage.objects.get(slug="auto-cross-selling")
        self.assertTrue(course.live)
        self.assertEqual(course.owning_company, self.tree["P"])
        self.assertEqual(sorted(course.audience_channels), [Channel.AGENT_FORCE, Channel.COUNTER])
        self.assertEqual(course.cross_selling_pairs, ["寿代产"])
        self.assertEqual(sorted(t.name for t in course.topic_tags.all()), ["交叉销售", "车险"])
        self.assertEqual([t.name for t in course.product_tags.all()], ["交强险"])

    def test_the_course_form_offers_only_the_lecturers_company(self):
        catalogue = CourseIndexPage.objects.get()
        response = self.client.get(f"/admin/pages/add/courses/coursepage/{catalogue.pk}/")
        self.assertEqual(response.status_code, 200)
        field = response.context["form"].fields["owning_company"]
        self.assertEqual(list(field.queryset), [self.tree["P"]])
        # The edit form is laid out in tabs.
        self.assertContains(response, "受众与完成条件")
        self.assertContains(response, "课程内容")

    def test_a_forged_foreign_owning_company_is_refused(self):
        catalogue = CourseIndexPage.objects.get()
        data = nested_form_data(
            {
                "title": "寿险课程",
                "slug": "forged",
                "summary": "伪造。",
                "owning_company": str(self.tree["L"].pk),
                "completion_rule": "all_required_lessons",
            }
        )
        data["audience_companies"] = [str(self.tree["P"].pk)]
        data["audience_channels"] = [Channel.AGENT_FORCE]
        response = self.client.post(f"/admin/pages/add/courses/coursepage/{catalogue.pk}/", data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["form"].errors), ["owning_company"])
        self.assertFalse(CoursePage.objects.filter(slug="forged").exists())

    def test_a_lecturer_adds_a_lesson_with_a_body_to_their_course(self):
        course = make_course(owner=self.tree["P"], audience=[self.tree["L"]])
        data = nested_form_data(
            {
                "title": "第一课 相互代理",
                "slug": "lesson-one",
                "required": "on",
                "estimated_minutes": "10",
                "body": streamfield(
                    [
                        ("heading", {"text": "相互代理的含义", "level": "h2"}),
                        ("rich_text", rich_text("<p>保险公司之间相互代理销售保险产品。</p>")),
                        (
                            "key_points",
                            {
                                "title": "本课要点",
                                "points": {
                                    "count": "2",
                                    "0": {"value": "持证上岗", "deleted": "", "order": "0"},
                                    "1": {"value": "如实告知", "deleted": "", "order": "1"},
                                },
                            },
                        ),
                    ]
                ),
                "action-publish": "publish",
            }
        )
        self.assertCanCreate(course, LessonPage, data)
        lesson = LessonPage.objects.get(slug="lesson-one")
        self.assertEqual(lesson.kind, LessonKind.TEXT)
        self.assertIsNone(lesson.tracked_media)
        self.assertEqual(list(lesson.body[2].value["points"]), ["持证上岗", "如实告知"])


@pytest.mark.django_db
def test_cross_selling_pairs_name_the_business_lines(tree):
    life_for_pc = make_course(owner=tree["L"], audience=[tree["P"], tree["H"]])
    own = make_course(owner=tree["P"], audience=[tree["P"]])
    assert life_for_pc.cross_selling_pairs == ["产代寿", "健代寿"]
    assert own.cross_selling_pairs == []


@pytest.mark.django_db
def test_a_lesson_with_a_video_tracks_that_video(tree, clip):
    video = make_video(clip)
    course = make_course(owner=tree["P"])
    lesson = make_lesson(course, media=video)
    lesson = LessonPage.objects.get(pk=lesson.pk)
    assert lesson.kind == LessonKind.MEDIA
    assert lesson.tracked_media == video
    assert lesson.course == course
    assert lesson.course_company_id == tree["P"].pk


@pytest.mark.django_db
def test_lesson_blocks_render(tree, client, p_agent):
    course = make_course(owner=tree["P"])
    lesson = make_lesson(course)
    lesson.body = [
        ("heading", {"text": "交叉销售保费收入统计口径", "level": "h3"}),
        ("rich_text", "<p>第五条 正文</p>"),
        ("key_points", {"title": "本课要点", "points": ["一", "二"]}),
    ]
    html = "".join(str(block) for block in lesson.body)
    assert '<h3 class="lesson-heading">交叉销售保费收入统计口径</h3>' in html
    assert "<p>第五条 正文</p>" in html
    assert '<h3 class="key-points__title">本课要点</h3>' in html
    assert "<li>二</li>" in html
