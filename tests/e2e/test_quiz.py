"""An agent takes a timed certification quiz on a phone: starts it from the course page, answers
(each answer saved as it is given), reloads half-way and finds the answers kept, submits and sees
the result; the course is completed by the pass, and the certificate it grants is downloaded."""

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from courses.models import Enrollment, EnrollmentStatus
from organization.models import Role
from quizzes.bank_services import category_create, question_create
from quizzes.models import Attempt, AttemptStatus, Certificate, QuestionKind, Quiz, QuizQuestion
from tests.courses.factories import make_course, make_lesson
from tests.organization.factories import make_person
from tests.quizzes.certificate_factories import make_certification

pytestmark = pytest.mark.e2e

PASSWORD = "pass-word-123"


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def build_quiz(tree, course) -> Quiz:
    category = category_create(company=tree["L"], name="交叉销售业务管理")
    questions = [
        question_create(
            category=category,
            kind=QuestionKind.SINGLE,
            stem="<p>交叉销售保费收入记录在哪个系统中？</p>",
            choices=[("集团交叉销售统计系统", True), ("各公司财务系统", False)],
            explanation="依据第二十五条。",
        ),
        question_create(
            category=category,
            kind=QuestionKind.MULTIPLE,
            stem="<p>交叉销售包括哪些方式？</p>",
            choices=[("相互代理", True), ("联合展业", True), ("企业年金", False)],
        ),
        question_create(
            category=category,
            kind=QuestionKind.TRUE_FALSE,
            stem="<p>交叉销售的理赔工作由代理方负责。</p>",
            is_true=False,
        ),
        question_create(
            category=category,
            kind=QuestionKind.FILL_BLANK,
            stem="<p>交叉销售的理赔工作由_____负责。</p>",
            accepted_answers=["承保公司"],
        ),
    ]
    quiz = Quiz(
        title="寿险产品交叉销售资格考试",
        company=tree["L"],
        course=course,
        time_limit_minutes=10,
        pass_percent=75,
        attempts_allowed=2,
        shuffle_questions=False,
        shuffle_choices=False,
        published=True,
    )
    quiz.full_clean()
    quiz.save()
    quiz.audience_companies.set([tree["P"]])
    for order, question in enumerate(questions):
        QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=order, points=1)
    return quiz


def saved(page):
    expect(page.locator("[data-save-status]")).to_have_text("✓ 答案已保存")


def test_agent_takes_a_timed_quiz_reloads_half_way_and_passes(
    site, tree, phone_page, live_server, login_as
):
    agent = make_person(tree["PGZ0101"], Role.AGENT, name="王小明")
    course = make_course(owner=tree["L"], audience=[tree["P"]], title="寿险产品与联合展业")
    make_lesson(course, title="第一条 总则")
    quiz = build_quiz(tree, course)
    make_certification(
        quiz=quiz,
        holder_company=tree["P"],
        product_company=tree["L"],
        name="产代寿交叉销售资格",
        code="CDS",
    )
    page = phone_page
    page.on("dialog", lambda dialog: dialog.accept())

    login_as(page, agent, PASSWORD)
    page.goto(f"{live_server.url}{course.url}")
    card = page.locator("[data-course-quiz]")
    expect(card).to_contain_text("寿险产品交叉销售资格考试")
    card.get_by_role("link", name="参加考试").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("寿险产品交叉销售资格考试")
    with page.expect_navigation():
        page.get_by_role("button", name="开始考试").click()

    # Question 1, with the server's countdown.
    expect(page.locator(".quiz-question__number")).to_contain_text("第 1 题 / 共 4 题")
    clock = page.locator("[data-clock]")
    expect(clock).to_have_text(re.compile(r"^(09:[0-5]\d|10:00)$"))
    assert horizontal_overflow(page) <= 0
    page.get_by_label("集团交叉销售统计系统").check()
    saved(page)
    with page.expect_navigation():
        page.get_by_role("button", name="下一题").click()

    # Question 2: tick two options; each is saved at once, without moving on.
    page.get_by_label("相互代理").check()
    page.get_by_label("联合展业").check()
    saved(page)
    attempt = Attempt.objects.get(person=agent, quiz=quiz)
    for _ in range(50):  # the second tick's save may still be on its way
        if len(attempt.answers.get(position=1).response or []) == 2:
            break
        page.wait_for_timeout(100)

    # Half-way, the page is reloaded (or the phone drops the network): the answers are kept.
    page.reload()
    expect(page.get_by_label("相互代理")).to_be_checked()
    expect(page.get_by_label("联合展业")).to_be_checked()
    expect(page.get_by_label("企业年金")).not_to_be_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="1", exact=True).click()
    expect(page.get_by_label("集团交叉销售统计系统")).to_be_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="3", exact=True).click()

    page.get_by_label("错误", exact=True).check()
    saved(page)
    with page.expect_navigation():
        page.get_by_role("button", name="下一题").click()
    page.get_by_placeholder("在此填写答案").fill("承保　公司")
    saved(page)
    with page.expect_navigation():
        page.get_by_role("button", name="检查并交卷").first.click()

    expect(page.locator("main")).to_contain_text("全部题目都已作答。")
    with page.expect_navigation():
        page.get_by_role("button", name="确认交卷").click()

    result = page.locator("[data-quiz-result]")
    expect(result.locator("[data-verdict]")).to_have_text("✓ 考试通过")
    expect(result.locator("[data-score]")).to_have_text("4.00 / 4.00 分")
    expect(page.locator("main")).to_contain_text("依据第二十五条。")  # review after submitting
    assert horizontal_overflow(page) <= 0
    attempt.refresh_from_db()
    assert (attempt.status, attempt.passed) == (AttemptStatus.SUBMITTED, True)
    enrollment = Enrollment.objects.get(person=agent, course=course)
    assert enrollment.status == EnrollmentStatus.COMPLETED

    # The pass granted the certificate: from the result to "my certificates", download the PDF.
    with page.expect_navigation():
        page.get_by_role("link", name="查看我的证书").click()
    certificate = Certificate.objects.get(person=agent)
    row = page.locator(f'[data-serial="{certificate.serial}"]')
    expect(row).to_contain_text("产代寿交叉销售资格")
    expect(row).to_contain_text("有效")
    assert horizontal_overflow(page) <= 0
    with page.expect_download() as download_info:
        row.get_by_role("link", name="下载证书（PDF）").click()
    pdf = Path(download_info.value.path())
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "王小明" in text and certificate.serial in text

    # Back on the course page, the card says so.
    page.goto(f"{live_server.url}{course.url}")
    expect(page.locator("[data-course-quiz]")).to_contain_text("✓ 已通过")
