"""Who may take a session: double-booking (edges, time zones), qualification, region, reach, slots,
and the suggestions of qualified free lecturers nearby."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lecturer_portal.conflicts import check_assignment, suggest_lecturers
from lecturer_portal.models import AssignmentRole, AssignmentStatus
from lecturer_portal.selectors import session_for_assignment
from lecturer_portal.services import (
    NeedsConfirmation,
    assignment_decline,
    assignment_withdraw,
    lecturer_assign,
    session_cancel,
)

from .factories import at, make_lecturer, make_session

pytestmark = pytest.mark.django_db
LEAD, ASSISTANT = AssignmentRole.LEAD, AssignmentRole.ASSISTANT


@pytest.fixture
def session_at(tree, gz_coordinator):
    def _make(starts_at, hours=2, **fields):
        return make_session(
            user=gz_coordinator.user,
            host=tree["PGZ"],
            product_company=tree["L"],
            starts_at=starts_at,
            hours=hours,
            **fields,
        )

    return _make


@pytest.fixture
def assign(gz_coordinator):
    def _assign(session, lecturer, role=LEAD, **kwargs):
        return lecturer_assign(
            user=gz_coordinator.user, session=session, lecturer=lecturer, role=role, **kwargs
        )

    return _assign


def refusal(call) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        call()
    assert not isinstance(raised.value, NeedsConfirmation)
    return raised.value.messages


# Double-booking


def test_an_overlapping_session_is_refused_and_names_the_other(session_at, life_lecturer, assign):
    first = session_at(at(10, 9), title="寿险产品说明会")
    second = session_at(at(10, 10), title="第二场")
    assign(first, life_lecturer)

    messages = refusal(lambda: assign(second, life_lecturer))

    assert messages == [
        "讲师“王芳”在该时段已有安排：“寿险产品说明会”（2031-03-10 09:00 至 2031-03-10 11:00），"
        "不能重复指派。"
    ]
    assert not second.assignments.exists()


@pytest.mark.parametrize(
    ("start", "hours"),
    [
        (at(10, 11), 1),  # starts when the other ends
        (at(10, 7), 2),  # ends when the other starts
    ],
)
def test_touching_sessions_do_not_overlap(session_at, life_lecturer, assign, start, hours):
    assign(session_at(at(10, 9)), life_lecturer)  # 09:00–11:00

    assignment = assign(session_at(start, hours=hours), life_lecturer)

    assert assignment.status == AssignmentStatus.INVITED


def test_a_session_inside_another_overlaps(session_at, life_lecturer, assign):
    assign(session_at(at(10, 9), hours=8), life_lecturer)
    assert refusal(lambda: assign(session_at(at(10, 13), hours=1), life_lecturer))


def test_times_entered_in_another_time_zone_compare_as_instants(session_at, life_lecturer, assign):
    assign(session_at(at(10, 9)), life_lecturer)  # 09:00–11:00 Shanghai = 01:00–03:00 UTC
    overlapping = session_at(datetime(2031, 3, 10, 2, 30, tzinfo=UTC), hours=1)
    touching = session_at(datetime(2031, 3, 10, 3, 0, tzinfo=UTC), hours=1)

    assert refusal(lambda: assign(overlapping, life_lecturer))
    assert assign(touching, life_lecturer).is_active


@pytest.mark.parametrize("free", ["decline", "withdraw", "cancel"])
def test_declines_withdrawals_and_cancellations_free_the_lecturers_time(
    session_at, life_lecturer, assign, gz_coordinator, free
):
    user = gz_coordinator.user
    first, wanted = session_at(at(10, 9)), session_at(at(10, 9))
    assignment = assign(first, life_lecturer)
    assert refusal(lambda: assign(wanted, life_lecturer))

    if free == "decline":
        assignment_decline(person=life_lecturer.person, assignment=assignment, note="出差")
    elif free == "withdraw":
        assignment_withdraw(user=user, assignment=assignment)
    else:
        session_cancel(user=user, session=first, reason="场地不可用")

    assert assign(wanted, life_lecturer).is_active
    assignment.refresh_from_db()
    assert (
        assignment.status
        == {
            "decline": AssignmentStatus.DECLINED,
            "withdraw": AssignmentStatus.WITHDRAWN,
            "cancel": AssignmentStatus.CANCELLED,
        }[free]
    )


# Qualification


def test_a_lead_without_the_companys_qualification_is_refused(
    tree, session_at, gz_coordinator, assign
):
    health_only = make_lecturer(
        tree["PGZ"], user=gz_coordinator.user, qualified_for=(tree["H"],), name="赵敏"
    )
    messages = refusal(lambda: assign(session_at(at(10, 9)), health_only))
    assert messages == ["讲师“赵敏”没有讲授人保寿险产品“寿险产品”主题的资格。"]


def test_a_topic_qualification_covers_only_its_topic(tree, session_at, gz_coordinator, assign):
    lecturer = make_lecturer(
        tree["PGZ"], user=gz_coordinator.user, qualified_for=(tree["L"],), topic="统计口径"
    )
    assert assign(session_at(at(10, 9), topic="统计口径"), lecturer).is_active
    assert refusal(lambda: assign(session_at(at(11, 9), topic="寿险产品"), lecturer))


def test_an_unqualified_assistant_needs_confirmation(tree, session_at, gz_coordinator, assign):
    trainee = make_lecturer(tree["PGZ"], user=gz_coordinator.user, name="新讲师")
    session = session_at(at(10, 9))

    with pytest.raises(NeedsConfirmation) as raised:
        assign(session, trainee, ASSISTANT)
    assert raised.value.messages == ["讲师“新讲师”没有讲授人保寿险产品“寿险产品”主题的资格。"]
    assert not session.assignments.exists()

    assert assign(session, trainee, ASSISTANT, confirm=True).role == ASSISTANT


# Region and reach


@pytest.fixture
def gd_coordinator(tree, person_factory):
    from organization.models import Role

    return person_factory(tree["PGD"], Role.COORDINATOR, name="广东培训管理员")


@pytest.fixture
def shenzhen_lecturer(tree, gd_coordinator):
    return make_lecturer(
        tree["PSZ"], user=gd_coordinator.user, qualified_for=(tree["L"],), name="李强"
    )


def guangzhou_session(tree, coordinator, **fields):
    return make_session(
        user=coordinator.user,
        host=tree["PGZ"],
        product_company=tree["L"],
        starts_at=at(12, 9),
        **fields,
    )


def test_a_lecturer_from_another_prefecture_needs_confirmation(
    tree, gd_coordinator, shenzhen_lecturer
):
    session = guangzhou_session(tree, gd_coordinator)
    user = gd_coordinator.user

    with pytest.raises(NeedsConfirmation) as raised:
        lecturer_assign(user=user, session=session, lecturer=shenzhen_lecturer, role=LEAD)
    assert raised.value.messages == [
        "讲师“李强”所在的人保财险深圳分公司不在本场次所在地区（人保财险广州分公司）。"
    ]
    assert not session.assignments.exists()

    assignment = lecturer_assign(
        user=user, session=session, lecturer=shenzhen_lecturer, role=LEAD, confirm=True
    )
    assert assignment.is_active


def test_a_province_session_takes_lecturers_from_the_whole_province(
    tree, gd_coordinator, shenzhen_lecturer
):
    session = make_session(
        user=gd_coordinator.user, host=tree["PGD"], product_company=tree["L"], starts_at=at(12, 9)
    )
    assignment = lecturer_assign(
        user=gd_coordinator.user, session=session, lecturer=shenzhen_lecturer, role=LEAD
    )
    assert assignment.is_active


def test_an_online_only_session_takes_lecturers_from_anywhere(
    tree, gd_coordinator, shenzhen_lecturer
):
    session = guangzhou_session(
        tree, gd_coordinator, place="", online_url="https://live.example.com/room/1"
    )
    assignment = lecturer_assign(
        user=gd_coordinator.user, session=session, lecturer=shenzhen_lecturer, role=LEAD
    )
    assert assignment.is_active


def test_a_lecturer_outside_the_subtree_and_corps_is_out_of_reach(
    tree, session_at, group_coordinator, assign
):
    life_side = make_lecturer(
        tree["LGZ"], user=group_coordinator.user, qualified_for=(tree["L"],), name="寿险讲师"
    )
    messages = refusal(lambda: assign(session_at(at(10, 9)), life_side))
    assert messages == ["讲师“寿险讲师”不在你的管理范围内，也不是主办机构所属讲师团的成员。"]


def test_members_of_a_corps_above_the_host_are_within_reach(
    tree, session_at, group_coordinator, group_corps, assign
):
    member = make_lecturer(
        tree["LGZ"],
        user=group_coordinator.user,
        qualified_for=(tree["L"],),
        corps=(group_corps,),
        name="讲师团成员",
    )
    assert assign(session_at(at(10, 9)), member).is_active


def test_an_inactive_lecturer_is_refused(session_at, life_lecturer, assign):
    life_lecturer.is_active = False
    life_lecturer.save()
    messages = refusal(lambda: assign(session_at(at(10, 9)), life_lecturer))
    assert messages == ["“王芳”已停用或不再具有讲师角色，不能指派。"]


# Slots


def test_one_lead_per_session_until_the_lead_declines(
    tree, session_at, life_lecturer, gz_coordinator, assign
):
    other = make_lecturer(tree["PGZ"], user=gz_coordinator.user, qualified_for=(tree["L"],))
    session = session_at(at(10, 9))
    first = assign(session, life_lecturer)

    assert refusal(lambda: assign(session, other)) == [
        "本场次已有主讲讲师“王芳”；如需更换，请先撤回其指派。"
    ]
    assert refusal(lambda: assign(session, life_lecturer, ASSISTANT)) == [
        "讲师“王芳”已被指派到本场次。"
    ]

    assignment_decline(person=life_lecturer.person, assignment=first, note="出差")
    assert assign(session, other).role == LEAD


def test_assistant_slots_are_counted(tree, session_at, gz_coordinator, assign):
    lecturers = [
        make_lecturer(tree["PGZ"], user=gz_coordinator.user, qualified_for=(tree["L"],))
        for _ in range(3)
    ]
    session = session_at(at(10, 9), assistant_slots=2)
    assign(session, lecturers[0], ASSISTANT)
    assign(session, lecturers[1], ASSISTANT)
    assert refusal(lambda: assign(session, lecturers[2], ASSISTANT)) == [
        "本场次的 2 个助教名额已满。"
    ]


def test_closed_sessions_take_no_lecturers(session_at, life_lecturer, assign, gz_coordinator):
    session = session_at(at(10, 9))
    session_cancel(user=gz_coordinator.user, session=session, reason="台风")
    assert refusal(lambda: assign(session, life_lecturer)) == [
        f"场次“{session.title}”已取消，不能再指派讲师。"
    ]


# The check's cost and the suggestions


def test_the_check_takes_two_queries_whatever_the_bookings(
    tree, session_at, life_lecturer, assign, gz_coordinator
):
    for day in range(1, 8):
        assign(session_at(at(day, 9)), life_lecturer)
    session = session_for_assignment(session_at(at(10, 9)).pk)
    user = gz_coordinator.user
    user.person.roles  # noqa: B018 (a request has its user's person and roles loaded)

    with CaptureQueriesContext(connection) as queries:
        check = check_assignment(user=user, session=session, lecturer=life_lecturer, role=LEAD)

    assert check.ok and not check.warnings
    assert len(queries) == 2


def test_suggestions_are_qualified_free_and_nearest_first(
    tree, session_at, gz_coordinator, group_coordinator, group_corps, assign
):
    user = gz_coordinator.user
    busy = make_lecturer(tree["PGZ"], user=user, qualified_for=(tree["L"],), name="忙碌")
    make_lecturer(tree["PGZ"], user=user, qualified_for=(tree["H"],), name="不合格")
    near_junior = make_lecturer(
        tree["PGZ01"], user=user, qualified_for=(tree["L"],), name="近初级", level="junior"
    )
    near_senior = make_lecturer(
        tree["PGZ"], user=user, qualified_for=(tree["L"],), name="近高级", level="senior"
    )
    far = make_lecturer(
        tree["LSZ"],
        user=group_coordinator.user,
        qualified_for=(tree["L"],),
        corps=(group_corps,),
        name="深圳讲师团成员",
    )
    make_lecturer(tree["LGZ"], user=group_coordinator.user, qualified_for=(tree["L"],))
    assign(session_at(at(10, 8), hours=1.5), busy)
    session = session_for_assignment(session_at(at(10, 9)).pk)

    with CaptureQueriesContext(connection) as queries:
        suggested = suggest_lecturers(user=user, session=session)

    assert [profile.person.name for profile in suggested] == ["近高级", "近初级", "深圳讲师团成员"]
    assert [profile.nearness for profile in suggested] == [0, 0, 1]
    assert {near_junior, near_senior, far} == set(suggested)
    assert len(queries) <= 3  # the coordinator's scope (person, roles) and the suggestions


def test_suggestions_leave_out_lecturers_already_on_the_session(
    tree, session_at, life_lecturer, gz_coordinator, assign
):
    session = session_at(at(10, 9))
    assign(session, life_lecturer)
    assert (
        suggest_lecturers(user=gz_coordinator.user, session=session_for_assignment(session.pk))
        == []
    )


def test_assignments_copy_the_sessions_times(session_at, life_lecturer, assign):
    session = session_at(at(10, 9))
    assignment = assign(session, life_lecturer)
    assert (assignment.starts_at, assignment.ends_at) == (at(10, 9), at(10, 11))
    assert assignment.ends_at - assignment.starts_at == timedelta(hours=2)
