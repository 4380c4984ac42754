"""Registration and the waiting list, check-in tokens, attendance feeding courses and
certifications, feedback and cascade qualification (services)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from lecturer_portal import attendance, selectors
from lecturer_portal.attendance import (
    check_in_by_token,
    check_in_manual,
    checkin_token,
    feedback_submit,
    registration_cancel,
    registration_register,
    registration_register_audience,
)
from lecturer_portal.models import (
    Feedback,
    Notice,
    Qualification,
    QualificationSource,
    Registration,
    SessionKind,
)
from lecturer_portal.services import session_cancel, session_update
from organization.models import Role
from tests.organization.factories import make_person

from .factories import at, make_lecturer, make_plan, make_published

pytestmark = pytest.mark.django_db

BEFORE = at(1, 9)  # published and registered then; the session is on 10 March 09:00–11:00
DURING = at(10, 9, 30)


@pytest.fixture
def session(tree, gz_coordinator, life_lecturer):
    return make_published(
        coordinator=gz_coordinator,
        lecturer=life_lecturer,
        host=tree["PGZ"],
        product_company=tree["L"],
        at=BEFORE,
        capacity=2,
        title="寿险产品培训",
    )


@pytest.fixture
def agents(tree):
    return [make_person(tree["PGZ0101"], Role.AGENT, name=f"代理人{i}") for i in range(4)]


def scan(person, session, when):
    """Scan the code shown at ``when``, at ``when``."""
    token = checkin_token(session=session, at=when)
    return check_in_by_token(person=person, session=session, token=token, at=when)


def statuses(session):
    return dict(Registration.objects.filter(session=session).values_list("person__name", "status"))


# Registration --------------------------------------------------------------------------------


def test_registration_fills_the_seats_then_the_waiting_list(session, agents):
    rows = [registration_register(person=p, session=session, at=BEFORE) for p in agents[:3]]
    assert [row.status for row in rows] == ["registered", "registered", "waitlisted"]


def test_a_cancellation_promotes_the_first_of_the_waiting_list_and_tells_them(session, agents):
    for offset, person in enumerate(agents):
        registration_register(person=person, session=session, at=BEFORE + timedelta(minutes=offset))
    registration_cancel(person=agents[0], session=session, at=BEFORE)

    assert statuses(session) == {
        "代理人0": "cancelled",
        "代理人1": "registered",
        "代理人2": "registered",
        "代理人3": "waitlisted",
    }
    assert Notice.objects.filter(recipient=agents[2], title__startswith="候补成功").exists()


def test_registering_twice_is_refused(session, agents):
    registration_register(person=agents[0], session=session, at=BEFORE)
    with pytest.raises(ValidationError, match="无需重复报名"):
        registration_register(person=agents[0], session=session, at=BEFORE)
    assert Registration.objects.count() == 1


def test_registration_outside_the_audience_is_refused(tree, session):
    outsider = make_person(tree["PSZ"], Role.AGENT)
    with pytest.raises(ValidationError, match="不在“寿险产品培训”的培训对象范围内"):
        registration_register(person=outsider, session=session, at=BEFORE)
    assert not Registration.objects.exists()


def test_registration_closes_at_the_deadline(session, agents):
    late = session.registration_deadline + timedelta(seconds=1)
    with pytest.raises(ValidationError, match="报名已于 2031-03-09 09:00 截止"):
        registration_register(person=agents[0], session=session, at=late)
    assert not Registration.objects.exists()


def test_the_coordinator_registers_the_whole_audience(session, agents, gz_coordinator):
    registration_register(person=agents[0], session=session, at=BEFORE)
    counts = registration_register_audience(user=gz_coordinator.user, session=session, at=BEFORE)
    audience = selectors.session_audience(session).count()
    assert counts == {"registered": 1, "waitlisted": audience - 2}
    assert Registration.objects.filter(session=session).count() == audience


def test_registering_an_audience_out_of_scope_is_refused(session, sz_coordinator):
    with pytest.raises(ValidationError, match="不在你的管理范围内"):
        registration_register_audience(user=sz_coordinator.user, session=session, at=BEFORE)
    assert not Registration.objects.exists()


def test_capacity_below_the_registrations_is_refused(session, agents, gz_coordinator):
    for person in agents[:2]:
        registration_register(person=person, session=session, at=BEFORE)
    with pytest.raises(ValidationError, match="已有 2 人报名，人数上限不能少于 2"):
        session_update(user=gz_coordinator.user, session=session, capacity=1)
    session.refresh_from_db()
    assert session.capacity == 2


def test_a_larger_capacity_promotes_the_waiting_list(session, agents, gz_coordinator):
    for person in agents[:3]:
        registration_register(person=person, session=session, at=BEFORE)
    session_update(user=gz_coordinator.user, session=session, capacity=3)
    assert statuses(session)["代理人2"] == "registered"


def test_registrants_hear_of_a_cancellation(session, agents, gz_coordinator):
    registration_register(person=agents[0], session=session, at=BEFORE)
    assert agents[0] in selectors.session_people_concerned(session)
    session_cancel(user=gz_coordinator.user, session=session, reason="台风")
    assert Notice.objects.filter(recipient=agents[0], title__startswith="培训场次已取消").exists()


# Check-in tokens ------------------------------------------------------------------------------


def test_the_current_and_the_previous_code_check_in(session, agents):
    for person in agents[:2]:
        registration_register(person=person, session=session, at=BEFORE)
    scan(agents[0], session, DURING)
    previous = checkin_token(session=session, at=DURING - timedelta(seconds=30))
    check_in_by_token(person=agents[1], session=session, token=previous, at=DURING)
    assert statuses(session) == {"代理人0": "attended", "代理人1": "attended"}


def test_the_code_changes_every_30_seconds():
    from types import SimpleNamespace

    session = SimpleNamespace(pk=7)
    start = at(10, 9, 0)
    assert checkin_token(session=session, at=start) == checkin_token(
        session=session, at=start + timedelta(seconds=29)
    )
    assert checkin_token(session=session, at=start) != checkin_token(
        session=session, at=start + timedelta(seconds=30)
    )


def test_an_old_code_from_a_photo_is_refused(session, agents):
    registration_register(person=agents[0], session=session, at=BEFORE)
    old = checkin_token(session=session, at=DURING - timedelta(seconds=61))
    with pytest.raises(ValidationError, match="签到码已过期"):
        check_in_by_token(person=agents[0], session=session, token=old, at=DURING)
    assert statuses(session)["代理人0"] == "registered"


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-1] + ("0" if token[-1] != "0" else "1"),  # signature changed
        lambda token: "999." + token.split(".", 1)[1],  # another session's
        lambda token: token.rsplit(".", 2)[0] + ".99999999999." + token.rsplit(".", 1)[1],
        lambda token: "rubbish",
    ],
)
def test_a_forged_code_is_refused(session, agents, forge):
    registration_register(person=agents[0], session=session, at=BEFORE)
    token = forge(checkin_token(session=session, at=DURING))
    with pytest.raises(ValidationError, match="签到码无效"):
        check_in_by_token(person=agents[0], session=session, token=token, at=DURING)
    assert statuses(session)["代理人0"] == "registered"


def test_check_in_outside_the_time_window_is_refused(session, agents):
    registration_register(person=agents[0], session=session, at=BEFORE)
    early = session.starts_at - timedelta(minutes=31)
    with pytest.raises(ValidationError, match="签到从开始前 30 分钟开放"):
        scan(agents[0], session, early)
    late = session.ends_at + timedelta(minutes=1)
    with pytest.raises(ValidationError, match="签到已关闭"):
        scan(agents[0], session, late)
    assert statuses(session)["代理人0"] == "registered"


def test_an_unregistered_person_is_refused_unless_walk_ins_are_allowed(session, agents):
    token = checkin_token(session=session, at=DURING)
    with pytest.raises(ValidationError, match="本场不接受现场签到"):
        check_in_by_token(person=agents[0], session=session, token=token, at=DURING)
    assert not Registration.objects.exists()

    type(session).objects.filter(pk=session.pk).update(allow_walk_ins=True)
    session.refresh_from_db()
    row = check_in_by_token(person=agents[0], session=session, token=token, at=DURING)
    assert (row.status, row.check_in_method) == ("attended", "walk_in")


def test_the_waitlisted_cannot_check_in_by_qr(session, agents):
    for person in agents[:3]:
        registration_register(person=person, session=session, at=BEFORE)
    with pytest.raises(ValidationError, match="候补名单上"):
        scan(agents[2], session, DURING)


def test_checking_in_twice_is_refused_and_keeps_the_first_time(session, agents):
    registration_register(person=agents[0], session=session, at=BEFORE)
    token = checkin_token(session=session, at=DURING)
    check_in_by_token(person=agents[0], session=session, token=token, at=DURING)
    with pytest.raises(ValidationError, match="无需重复签到"):
        check_in_by_token(
            person=agents[0], session=session, token=token, at=DURING + timedelta(seconds=5)
        )
    assert Registration.objects.get().checked_in_at == DURING


def test_the_lecturer_checks_in_by_hand(session, agents, life_lecturer):
    registration_register(person=agents[0], session=session, at=BEFORE)
    row = check_in_manual(
        user=life_lecturer.person.user, session=session, person=agents[0], at=DURING
    )
    assert (row.status, row.check_in_method) == ("attended", "manual")
    assert row.checked_in_by == life_lecturer.person.user


def test_someone_else_cannot_check_in_by_hand(tree, session, agents, sz_coordinator):
    registration_register(person=agents[0], session=session, at=BEFORE)
    with pytest.raises(ValidationError, match="只有本场讲师或培训管理员"):
        check_in_manual(user=sz_coordinator.user, session=session, person=agents[0], at=DURING)
    assert statuses(session)["代理人0"] == "registered"


def test_attendance_feeds_the_plan_page(tree, gz_coordinator, life_lecturer, agents):
    plan = make_plan(tree["PGZ"], user=gz_coordinator.user)
    session = make_published(
        coordinator=gz_coordinator,
        lecturer=life_lecturer,
        host=tree["PGZ"],
        product_company=tree["L"],
        at=BEFORE,
        plan_item=plan.items.first(),
    )
    for person in agents[:3]:
        registration_register(person=person, session=session, at=BEFORE)
    for person in agents[:2]:
        check_in_manual(user=gz_coordinator.user, session=session, person=person, at=DURING)
    progress = selectors.plan_progress(plan)
    assert progress.attendance == 2 and progress.sessions[0].attendance == 2


# Attendance → courses and certifications ------------------------------------------------------


def test_attendance_completes_the_linked_course(tree, gz_coordinator, life_lecturer, agents):
    from courses.models import Enrollment
    from tests.courses.factories import make_course

    course = make_course(owner=tree["L"])
    session = make_published(
        coordinator=gz_coordinator,
        lecturer=life_lecturer,
        host=tree["PGZ"],
        product_company=tree["L"],
        at=BEFORE,
        course=course,
    )
    registration_register(person=agents[0], session=session, at=BEFORE)
    check_in_manual(user=gz_coordinator.user, session=session, person=agents[0], at=DURING)
    enrollment = Enrollment.objects.get(person=agents[0], course=course)
    assert (enrollment.status, enrollment.completed_at) == ("completed", DURING)


def test_the_attended_hook_answers_for_the_certifications_company(
    session, agents, tree, gz_coordinator
):
    from types import SimpleNamespace

    from quizzes.certificates import requirements_missing

    registration_register(person=agents[0], session=session, at=BEFORE)
    life = SimpleNamespace(
        product_company_id=tree["L"].pk, required_course=None, requires_attendance=True
    )
    pc = SimpleNamespace(
        product_company_id=tree["P"].pk, required_course=None, requires_attendance=True
    )
    assert requirements_missing(person=agents[0], certification=life) == ["尚无面授培训签到记录。"]
    check_in_manual(user=gz_coordinator.user, session=session, person=agents[0], at=DURING)
    assert requirements_missing(person=agents[0], certification=life) == []
    assert requirements_missing(person=agents[0], certification=pc) == ["尚无面授培训签到记录。"]


# Feedback -------------------------------------------------------------------------------------


@pytest.fixture
def attended(session, agents, gz_coordinator):
    registration_register(person=agents[0], session=session, at=BEFORE)
    check_in_manual(user=gz_coordinator.user, session=session, person=agents[0], at=DURING)
    return agents[0]


def test_an_attendee_rates_once(session, attended):
    feedback_submit(
        person=attended,
        session=session,
        lecturer_rating=5,
        content_rating=4,
        comment=" 很好 ",
        at=DURING,
    )
    with pytest.raises(ValidationError, match="您已评价过本场培训"):
        feedback_submit(
            person=attended, session=session, lecturer_rating=1, content_rating=1, at=DURING
        )
    row = Feedback.objects.get()
    assert (row.lecturer_rating, row.content_rating, row.comment) == (5, 4, "很好")


def test_feedback_needs_attendance_and_ratings_in_range(session, attended, agents):
    with pytest.raises(ValidationError, match="只有签到参加"):
        feedback_submit(
            person=agents[1], session=session, lecturer_rating=5, content_rating=5, at=DURING
        )
    with pytest.raises(ValidationError):
        feedback_submit(
            person=attended, session=session, lecturer_rating=6, content_rating=0, at=DURING
        )
    assert not Feedback.objects.exists()


def test_aggregates(session, attended, agents, gz_coordinator):
    registration_register(person=agents[1], session=session, at=BEFORE)
    check_in_manual(user=gz_coordinator.user, session=session, person=agents[1], at=DURING)
    for person, ratings in ((attended, (5, 4)), (agents[1], (4, 3))):
        feedback_submit(
            person=person,
            session=session,
            lecturer_rating=ratings[0],
            content_rating=ratings[1],
            at=DURING,
        )
    summary = selectors.feedback_summary([session.pk])
    assert summary == {"count": 2, "lecturer": 4.5, "content": 3.5}


# Cascade --------------------------------------------------------------------------------------


@pytest.fixture
def cascade(tree, gz_coordinator, life_lecturer):
    return make_published(
        coordinator=gz_coordinator,
        lecturer=life_lecturer,
        host=tree["PGZ"],
        product_company=tree["L"],
        at=BEFORE,
        kind=SessionKind.CASCADE,
        title="寿险转培训",
        topic="寿险产品",
    )


def test_a_passed_cascade_attendee_becomes_qualified_and_the_lineage_shows(
    tree, cascade, gz_coordinator, life_lecturer
):
    trainee = make_lecturer(tree["PGZ"], user=gz_coordinator.user, name="李新")
    registration_register(person=trainee.person, session=cascade, at=BEFORE)
    check_in_manual(user=gz_coordinator.user, session=cascade, person=trainee.person, at=DURING)
    attendance.cascade_mark_passed(
        user=life_lecturer.person.user, session=cascade, person=trainee.person, at=DURING
    )
    qualification = Qualification.objects.get(lecturer=trainee)
    assert qualification.source == QualificationSource.CASCADE
    assert qualification.source_session == cascade

    later = make_published(
        coordinator=gz_coordinator,
        lecturer=trainee,
        host=tree["PGZ"],
        product_company=tree["L"],
        at=BEFORE,
        starts_at=at(20, 9),
    )
    assert selectors.session_lineage(later) == [
        {"lecturer": "李新", "source": cascade, "trainer": "王芳"}
    ]


def test_a_pass_mark_needs_attendance(tree, cascade, gz_coordinator, agents):
    registration_register(person=agents[0], session=cascade, at=BEFORE)
    with pytest.raises(ValidationError, match="没有签到参加本场培训"):
        attendance.cascade_mark_passed(
            user=gz_coordinator.user, session=cascade, person=agents[0], at=DURING
        )
    assert not Qualification.objects.filter(source="cascade").exists()


def test_a_pass_mark_on_an_ordinary_session_grants_nothing(session, attended, gz_coordinator):
    with pytest.raises(ValidationError, match="只有转培训场次"):
        attendance.cascade_mark_passed(
            user=gz_coordinator.user, session=session, person=attended, at=DURING
        )
    assert not Qualification.objects.filter(source="cascade").exists()


# With the real quiz app ------------------------------------------------------------------------


def test_a_certification_requiring_attendance_is_granted_at_the_check_in(
    tree, session, agents, gz_coordinator
):
    from quizzes.models import Certificate
    from tests.quizzes.certificate_factories import make_certification, make_quiz, take_quiz

    quiz = make_quiz(company=tree["L"], audience=[tree["P"]])
    make_certification(quiz=quiz, product_company=tree["L"], requires_attendance=True)
    take_quiz(quiz, agents[0], at=BEFORE)
    assert not Certificate.objects.exists()  # passed, but no attendance yet

    registration_register(person=agents[0], session=session, at=BEFORE)
    check_in_manual(user=gz_coordinator.user, session=session, person=agents[0], at=DURING)
    assert Certificate.objects.get().person == agents[0]


@pytest.fixture
def quiz_cascade(tree, gz_coordinator, life_lecturer):
    """A cascade session assessed by a quiz, and three trainees registered for it."""
    from tests.quizzes.certificate_factories import make_quiz

    quiz = make_quiz(company=tree["L"], audience=[tree["P"]])
    session = make_published(
        coordinator=gz_coordinator,
        lecturer=life_lecturer,
        host=tree["PGZ"],
        product_company=tree["L"],
        at=BEFORE,
        kind=SessionKind.CASCADE,
        topic="寿险产品",
        assessment_quiz=quiz,
    )
    trainees = [
        make_lecturer(tree["PGZ"], user=gz_coordinator.user, name=name)
        for name in ("甲", "乙", "丙")
    ]
    for trainee in trainees:
        registration_register(person=trainee.person, session=session, at=BEFORE)
    return session, quiz, trainees


def cascade_qualifications():
    return [
        (q.lecturer.person.name, q.source_session_id, q.topic)
        for q in Qualification.objects.filter(source=QualificationSource.CASCADE)
    ]


def test_an_attendee_passing_the_assessment_quiz_is_qualified_at_the_submission(
    quiz_cascade, gz_coordinator
):
    from tests.quizzes.certificate_factories import take_quiz

    session, quiz, (passing, failing, absent) = quiz_cascade
    for trainee in (passing, failing):
        check_in_manual(user=gz_coordinator.user, session=session, person=trainee.person, at=DURING)
    take_quiz(quiz, passing.person, correct=True, at=DURING + timedelta(hours=1))
    take_quiz(quiz, failing.person, correct=False, at=DURING + timedelta(hours=1))
    take_quiz(quiz, absent.person, correct=True, at=DURING + timedelta(hours=1))  # not checked in

    assert cascade_qualifications() == [("甲", session.pk, "寿险产品")]
    assert Registration.objects.get(person=passing.person).passed_at == DURING + timedelta(hours=1)
    assert Registration.objects.get(person=failing.person).passed_at is None
    assert Registration.objects.get(person=absent.person).passed_at is None


def test_a_pass_before_the_session_does_not_count_but_one_before_a_late_check_in_does(
    quiz_cascade, gz_coordinator
):
    from tests.quizzes.certificate_factories import take_quiz

    session, quiz, (early, late, _other) = quiz_cascade
    take_quiz(quiz, early.person, correct=True, at=BEFORE)  # before the session started
    take_quiz(quiz, late.person, correct=True, at=DURING - timedelta(minutes=20))
    assert cascade_qualifications() == []  # neither has checked in yet

    for trainee in (early, late):
        check_in_manual(user=gz_coordinator.user, session=session, person=trainee.person, at=DURING)
    assert cascade_qualifications() == [("乙", session.pk, "寿险产品")]


def test_a_pass_without_a_lecturer_profile_qualifies_when_the_profile_is_made(
    tree, quiz_cascade, gz_coordinator
):
    from lecturer_portal.models import LecturerProfile
    from lecturer_portal.services import lecturer_profile_save
    from tests.quizzes.certificate_factories import take_quiz

    session, quiz, _trainees = quiz_cascade
    newcomer = make_person(tree["PGZ01"], Role.LECTURER, name="新讲师")
    registration_register(person=newcomer, session=session, at=BEFORE)
    check_in_manual(user=gz_coordinator.user, session=session, person=newcomer, at=DURING)
    take_quiz(quiz, newcomer, correct=True, at=DURING + timedelta(hours=1))
    assert cascade_qualifications() == []  # the pass is recorded, nobody to qualify yet
    assert Registration.objects.get(person=newcomer).passed_at is not None

    lecturer_profile_save(user=gz_coordinator.user, profile=LecturerProfile(person=newcomer))
    assert cascade_qualifications() == [("新讲师", session.pk, "寿险产品")]
