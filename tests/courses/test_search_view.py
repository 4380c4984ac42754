"""/search/: Chinese words inside sentences, only what the person may open, <mark>, pages."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from courses.models import EnrollmentSource, LessonPage
from courses.services import enrollment_get_or_create
from organization.models import Channel

from .factories import make_course, make_lesson, make_meeting, make_video

SEARCH = reverse("courses:search")
SEARCH_QUERIES = 15


@pytest.fixture
def video_of(clip, django_capture_on_commit_callbacks):
    def _video(title):
        with django_capture_on_commit_callbacks(execute=True):
            media = make_video(clip, title=title)
        media.refresh_from_db()
        return media

    return _video


def lesson_with_text(course, title, text, **kwargs):
    lesson = LessonPage(title=title, slug=f"l-{LessonPage.objects.count() + 1}", body=[])
    lesson.body = [("rich_text", f"<p>{text}</p>")]
    course.add_child(instance=lesson)
    lesson.save_revision().publish()
    return lesson


def results_of(client, query, **params):
    response = client.get(SEARCH, {"q": query, **params})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def agent(client, p_agent):
    client.force_login(p_agent.user)
    return client


def test_a_word_inside_a_sentence_is_found_and_marked(agent, tree):
    course = make_course(owner=tree["L"], audience=[tree["P"]], title="保费收入统计口径")
    course.summary = "本课程介绍各子公司通过联合展业形成的保费收入如何统计。"
    course.save_revision().publish()
    make_course(owner=tree["L"], audience=[tree["P"]], title="车险基础")

    html = results_of(agent, "联合展业")

    assert course.title in html
    assert "通过<mark>联合展业</mark>形成的保费收入" in html
    assert f'href="{course.url}"' in html
    assert "车险基础" not in html


def test_an_out_of_audience_course_and_its_lessons_are_not_shown(agent, tree):
    mine = make_course(owner=tree["L"], audience=[tree["P"]], title="面向财险的寿险课程")
    lesson_with_text(mine, "第三条", "互动部人员销售的寿险业务确认为产代寿业务。")
    health_only = make_course(owner=tree["L"], audience=[tree["H"]], title="健康险的产代寿课程")
    lesson_with_text(health_only, "健康险第三条", "健康险互动部人员销售的寿险业务，产代寿。")
    counter_only = make_course(
        owner=tree["L"], audience=[tree["P"]], channels=[Channel.COUNTER], title="柜面产代寿课程"
    )
    lesson_with_text(counter_only, "柜面第三条", "柜面人员的产代寿业务。")
    make_course(owner=tree["L"], audience=[tree["P"]], title="草稿产代寿课程", live=False)

    html = results_of(agent, "产代寿")

    assert "确认为<mark>产代寿</mark>业务" in html
    assert "面向财险的寿险课程" in html  # the lesson's course, shown with the lesson
    for hidden in ("健康险", "柜面", "草稿"):
        assert hidden not in html


def test_an_enrolled_course_outside_the_audience_is_found(agent, tree, p_agent):
    course = make_course(owner=tree["L"], audience=[tree["H"]], title="指派来的续保课程")
    enrollment_get_or_create(person=p_agent, course=course, source=EnrollmentSource.ASSIGNED)

    assert "指派来的<mark>续保</mark>课程" in results_of(agent, "续保")


def test_meetings_of_the_agents_company_only(agent, tree, meetings_index):
    make_meeting(
        meetings_index, company=tree["P"], meeting_date=date(2025, 3, 3), topic="联合展业经验分享"
    )
    make_meeting(
        meetings_index, company=None, meeting_date=date(2025, 3, 4), topic="集团联合展业动员"
    )
    make_meeting(
        meetings_index, company=tree["L"], meeting_date=date(2025, 3, 5), topic="寿险联合展业"
    )

    html = results_of(agent, "联合展业")

    assert "<mark>联合展业</mark>经验分享" in html
    assert "集团<mark>联合展业</mark>动员" in html
    assert "寿险" not in html


def test_media_used_in_an_open_lesson_is_found_and_links_to_it(agent, tree, video_of):
    course = make_course(owner=tree["L"], audience=[tree["P"]], title="寿险课程")
    shown = video_of("联合展业操作示范")
    lesson = make_lesson(course, media=shown, title="示范课")
    video_of("联合展业内部资料")  # used nowhere
    other = make_course(owner=tree["L"], audience=[tree["H"]], title="健康险课程")
    make_lesson(other, media=video_of("健康险联合展业示范"))

    html = results_of(agent, "联合展业", type="media")

    assert "<mark>联合展业</mark>操作示范" in html
    assert f'href="{lesson.url}"' in html
    assert "内部资料" not in html
    assert "健康险" not in html


def test_results_are_paginated_and_filtered_by_kind(agent, tree):
    course = make_course(owner=tree["L"], audience=[tree["P"]], title="续保专题")
    for number in range(25):
        lesson_with_text(course, f"第{number + 1}课", f"第{number + 1}种续保情形的处理办法。")

    first = results_of(agent, "续保")
    second = results_of(agent, "续保", page=2)
    lessons_only = results_of(agent, "续保", type="lesson", page=2)

    assert "全部（26）" in first and "课时（25）" in first and "课程（1）" in first
    assert first.count('class="card search-hit') == 20
    assert "<mark>续保</mark>专题" in first  # the course comes first
    assert second.count('class="card search-hit') == 6
    assert "第 2 / 2 页" in second
    assert lessons_only.count('class="card search-hit search-hit--lesson"') == 5
    assert 'aria-current="page">课时（25）' in lessons_only


@pytest.mark.parametrize("lessons", [3, 30])
def test_search_takes_a_fixed_number_of_queries(
    agent, tree, meetings_index, lessons, django_assert_max_num_queries
):
    course = make_course(owner=tree["L"], audience=[tree["P"]], title="续保专题")
    for number in range(lessons):
        lesson_with_text(course, f"第{number + 1}课", f"续保情形{number + 1}")
    make_meeting(meetings_index, company=tree["P"], meeting_date=date(2025, 3, 3), topic="续保晨会")

    with django_assert_max_num_queries(SEARCH_QUERIES):
        html = results_of(agent, "续保")

    assert html.count('class="card search-hit') == min(lessons + 2, 20)


def test_a_heading_is_found_by_its_text_not_by_its_level(agent, tree):
    course = make_course(owner=tree["L"], audience=[tree["P"]], title="寿险课程")
    lesson = LessonPage(
        title="第一课",
        slug="l-heading",
        body=[
            ("heading", {"text": "联合展业的认定", "level": "h2"}),
            ("rich_text", "<p>双方协商确定。</p>"),
        ],
    )
    course.add_child(instance=lesson)
    lesson.save_revision().publish()

    assert "<mark>联合展业</mark>的认定" in results_of(agent, "联合展业")
    assert "没有找到与“二级标题”相关的内容。" in results_of(agent, "二级标题")


def test_lesson_search_bodies_stay_in_the_table_rows_on_postgresql(db):
    """A search reads the body vector of every candidate lesson: out of line (TOAST) that read
    took most of a search's time (courses migration 0004)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps the indexed text in its FTS5 table.")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attname = 'body'"
            " AND attrelid = 'wagtailsearch_indexentry'::regclass"
        )
        assert cursor.fetchone() == ("m",)


def test_nothing_found_says_so(agent, db):
    assert "没有找到与“年金险”相关的内容。" in results_of(agent, "年金险")


def test_an_empty_query_shows_the_form_only(agent, db):
    html = results_of(agent, "  ")
    assert 'name="q"' in html
    assert "search-hit" not in html and "没有找到" not in html


def test_the_query_and_the_titles_are_escaped(agent, tree):
    make_course(owner=tree["L"], audience=[tree["P"]], title="续保<b>课程</b>")

    assert "<mark>续保</mark>&lt;b&gt;课程&lt;/b&gt;" in results_of(agent, "续保")
    html = results_of(agent, "<script>alert(1)</script>")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_account_without_a_person_finds_nothing(client, tree):
    make_course(owner=tree["L"], audience=[tree["P"]], title="续保课程")
    user = get_user_model().objects.create_superuser("ops", password="x-secret-42")
    client.force_login(user)
    html = results_of(client, "续保")
    assert "此账号没有关联人员档案" in html
    assert "续保课程" not in html
