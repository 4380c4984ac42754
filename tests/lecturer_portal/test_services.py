"""Sessions (bad input, scope, the status workflow), notifications, profiles, corps and plans."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from lecturer_portal import selectors
from lecturer_portal.models import (
    AssignmentRole,
    AssignmentStatus,
    LecturerProfile,
    Notice,
    NoticeKind,
    PlanItem,
    Qualification,
    QualificationSource,
    SessionKind,
    SessionStatus,
    TrainingPlan,
    TrainingSession,
)
from lecturer_portal.services import (
    assignment_accept,
    assignment_decline,
    corps_update,
    lecturer_assign,
    lecturer_profile_save,
    qualification_grant,
    session_cancel,
    session_complete,
    session_notify_audience,
    session_publish,
    session_start,
    session_update,
)
from organization.models import Channel, Role
from tests.organization.factories import make_person

from .factories import at, make_corps, make_lecturer, make_plan, make_session

pytestmark = pytest.mark.django_db
LEAD = AssignmentRole.LEAD


def messages_of(call) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        call()
    return raised.value.messages


@pytest.fixture
def new_session(tree, gz_coordinator):
    def _make(**fields):
        fields.setdefault("host", tree["PGZ"])
        fields.setdefault("product_company", tree["L"])
        return make_session(user=gz_coordinator.user, **fields)

    return _make


@pytest.fixture
def ready_session(new_session, life_lecturer, gz_coordinator):
    """A draft with its lead invited: ready to publish."""
    session = new_session()
    lecturer_assign(user=gz_coordinator.user, session=session, lecturer=life_lecturer, role=LEAD)
    return session


# Creating and changing sessions


def test_a_session_ending_before_it_starts_is_refused(new_session):
    with pytest.raises(ValidationError) as raised:
        new_session(starts_at=at(10, 9), hours=-1)
    assert raised.value.message_dict["ends_at"] == ["结束时间必须晚于开始时间。"]
    assert not TrainingSession.objects.exists()


def test_a_session_needs_a_place_or_a_link_and_a_deadline_before_the_start(new_session):
    with pytest.raises(ValidationError) as raised:
        new_session(place="", registration_deadline=at(10, 10))
    assert raised.value.message_dict == {
        "place": ["请填写培训地点或线上链接（至少一项）。"],
        "registration_deadline": ["报名截止时间不能晚于开始时间。"],
    }


def test_a_host_outside_the_subtree_is_refused(tree, new_session):
    with pytest.raises(ValidationError) as raised:
        new_session(host=tree["PSZ"])
    assert raised.value.message_dict["host_unit"] == [
        "只能在自己管理范围内的机构举办培训：“人保财险深圳分公司”不在其中。"
    ]


def test_the_audience_may_be_the_other_companys_branch_in_the_same_city(tree, new_session):
    session = new_session(audience_root=tree["LGZ"], channels=[Channel.AGENT_FORCE])
    agent = make_person(tree["LGZ0101"], Role.AGENT, channel=Channel.AGENT_FORCE)
    make_person(tree["LGZ0101"], Role.AGENT, channel=Channel.COUNTER)
    make_person(tree["PGZ0101"], Role.AGENT, channel=Channel.AGENT_FORCE)

    assert list(selectors.session_audience(session)) == [agent]


def test_an_audience_elsewhere_is_refused(tree, new_session):
    with pytest.raises(ValidationError) as raised:
        new_session(audience_root=tree["LSZ"])
    assert raised.value.message_dict["audience_root"] == [
        "受众机构“人保寿险深圳分公司”既不在你的管理范围内，也不在主办机构所在地区。"
    ]


def test_audience_companies_must_lie_in_the_audience(tree, new_session):
    with pytest.raises(ValidationError) as raised:
        new_session(audience_companies=[tree["L"]])
    assert raised.value.message_dict["audience_companies"] == [
        "“人保寿险”不在受众机构“人保财险广州分公司”之内。"
    ]


def test_rescheduling_moves_the_assignments_and_tells_the_lecturers(
    ready_session, life_lecturer, gz_coordinator, django_capture_on_commit_callbacks
):
    life_lecturer.person.user.email = "wangfang@example.com"
    life_lecturer.person.user.save()
    session_publish(user=gz_coordinator.user, session=ready_session, at=at(1, 9))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        session_update(
            user=gz_coordinator.user,
            session=ready_session,
            starts_at=at(11, 14),
            ends_at=at(11, 16),
            registration_deadline=at(10, 12),
        )

    assignment = ready_session.assignments.get()
    assert (assignment.starts_at, assignment.ends_at) == (at(11, 14), at(11, 16))
    notice = Notice.objects.get(kind=NoticeKind.SESSION_CHANGED)
    assert notice.recipient == life_lecturer.person
    assert "2031-03-11 14:00–16:00" in notice.body
    assert [message.to for message in mail.outbox] == [["wangfang@example.com"]]


def test_rescheduling_onto_a_lecturers_other_session_is_refused(
    ready_session, new_session, life_lecturer, gz_coordinator
):
    other = new_session(starts_at=at(11, 9), title="另一场")
    lecturer_assign(user=gz_coordinator.user, session=other, lecturer=life_lecturer, role=LEAD)

    with pytest.raises(ValidationError) as raised:
        session_update(
            user=gz_coordinator.user,
            session=ready_session,
            starts_at=at(11, 10),
            ends_at=at(11, 12),
            registration_deadline=at(10, 12),
        )
    assert raised.value.message_dict["starts_at"] == [
        "讲师“王芳”在新的时段已有安排：“另一场”，请另选时间。"
    ]
    ready_session.refresh_from_db()
    assert ready_session.starts_at == at(10, 9)


def test_an_out_of_scope_coordinator_cannot_change_a_session(ready_session, sz_coordinator):
    assert messages_of(
        lambda: session_update(user=sz_coordinator.user, session=ready_session, title="越权")
    ) == ["这个场次不在你的管理范围内，不能修改。"]


# The workflow


def test_publishing_needs_a_lead_lecturer(new_session, gz_coordinator):
    session = new_session()
    assert messages_of(
        lambda: session_publish(user=gz_coordinator.user, session=session, at=at(1, 9))
    ) == ["发布前请先指派主讲讲师。"]


def test_publishing_after_the_deadline_is_refused(ready_session, gz_coordinator):
    assert messages_of(
        lambda: session_publish(user=gz_coordinator.user, session=ready_session, at=at(9, 12))
    ) == ["报名截止时间已过，请先修改报名截止时间再发布。"]


def test_the_workflow_runs_draft_published_in_progress_completed(ready_session, gz_coordinator):
    user = gz_coordinator.user
    assert session_publish(user=user, session=ready_session, at=at(1, 9)).status == "published"
    assert messages_of(lambda: session_start(user=user, session=ready_session, at=at(10, 6))) == [
        "场次开始前 2 小时内才能开始。"
    ]
    assert session_start(user=user, session=ready_session, at=at(10, 8)).status == "in_progress"
    assert session_complete(user=user, session=ready_session, at=at(10, 11)).status == (
        SessionStatus.COMPLETED
    )
    assert messages_of(lambda: session_cancel(user=user, session=ready_session, reason="x")) == [
        f"场次“{ready_session.title}”目前为“已结束”，不能取消。"
    ]


@pytest.mark.parametrize(
    ("service", "status_name"),
    [(session_start, "草稿"), (session_complete, "草稿")],
)
def test_a_step_out_of_order_is_refused(ready_session, gz_coordinator, service, status_name):
    assert messages_of(lambda: service(user=gz_coordinator.user, session=ready_session))[
        0
    ].startswith(f"场次“{ready_session.title}”目前为“{status_name}”，不能")
    ready_session.refresh_from_db()
    assert ready_session.status == SessionStatus.DRAFT


def test_cancelling_needs_a_reason(ready_session, gz_coordinator):
    with pytest.raises(ValidationError) as raised:
        session_cancel(user=gz_coordinator.user, session=ready_session, reason="  ")
    assert raised.value.message_dict == {"reason": ["取消场次必须填写原因。"]}
    ready_session.refresh_from_db()
    assert ready_session.status == SessionStatus.DRAFT


def test_an_out_of_scope_coordinator_cannot_move_the_workflow(ready_session, sz_coordinator):
    for call in (
        lambda: session_publish(user=sz_coordinator.user, session=ready_session, at=at(1, 9)),
        lambda: session_cancel(user=sz_coordinator.user, session=ready_session, reason="越权"),
    ):
        assert messages_of(call) == ["这个场次不在你的管理范围内。"]
    ready_session.refresh_from_db()
    assert ready_session.status == SessionStatus.DRAFT


# Notifications


def test_publishing_tells_the_lecturers_by_mail_and_the_audience_in_app(
    tree, ready_session, life_lecturer, gz_coordinator, django_capture_on_commit_callbacks
):
    life_lecturer.person.user.email = "wangfang@example.com"
    life_lecturer.person.user.save()
    agents = [make_person(tree["PGZ0101"], Role.AGENT) for _ in range(3)]
    make_person(tree["PSZ0101"], Role.AGENT)  # not in the audience

    with django_capture_on_commit_callbacks(execute=True):
        session_publish(user=gz_coordinator.user, session=ready_session, at=at(1, 9))

    assert [message.to for message in mail.outbox] == [["wangfang@example.com"]]
    assert mail.outbox[0].subject == f"培训场次已发布：{ready_session.title}"
    assert "王芳，您好" in mail.outbox[0].body
    assert "/lecturer/" in mail.outbox[0].body
    notified = set(
        Notice.objects.filter(kind=NoticeKind.SESSION_PUBLISHED).values_list("recipient", flat=True)
    )
    audience = {person.pk for person in selectors.session_audience(ready_session)}
    assert {agent.pk for agent in agents} <= audience
    assert notified == audience | {life_lecturer.person_id}
    # A retried task notifies nobody twice.
    assert session_notify_audience(session_id=ready_session.pk) == 0


def test_nothing_is_sent_when_the_change_rolls_back(
    ready_session, life_lecturer, gz_coordinator, django_capture_on_commit_callbacks
):
    life_lecturer.person.user.email = "wangfang@example.com"
    life_lecturer.person.user.save()

    def cancel_then_fail():
        with transaction.atomic():
            session_cancel(user=gz_coordinator.user, session=ready_session, reason="台风")
            raise RuntimeError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        cancel_then_fail()

    assert mail.outbox == []
    assert not Notice.objects.filter(kind=NoticeKind.SESSION_CANCELLED).exists()


def test_cancelling_tells_the_lecturers_why(
    ready_session, life_lecturer, gz_coordinator, django_capture_on_commit_callbacks
):
    life_lecturer.person.user.email = "wangfang@example.com"
    life_lecturer.person.user.save()

    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(user=gz_coordinator.user, session=ready_session, reason="台风预警")

    assert mail.outbox[0].subject == f"培训场次已取消：{ready_session.title}"
    assert "原因：台风预警" in mail.outbox[0].body
    assert ready_session.assignments.get().status == AssignmentStatus.CANCELLED


def test_an_invitation_reaches_the_lecturer_and_the_answer_the_coordinator(
    new_session, life_lecturer, gz_coordinator, django_capture_on_commit_callbacks
):
    life_lecturer.person.user.email = "wangfang@example.com"
    life_lecturer.person.user.save()
    gz_coordinator.user.email = "coord@example.com"
    gz_coordinator.user.save()
    session = new_session(title="寿险产品说明会")

    with django_capture_on_commit_callbacks(execute=True):
        assignment = lecturer_assign(
            user=gz_coordinator.user, session=session, lecturer=life_lecturer, role=LEAD
        )
    with django_capture_on_commit_callbacks(execute=True):
        assignment_accept(person=life_lecturer.person, assignment=assignment)

    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["wangfang@example.com"], "授课邀请：寿险产品说明会"),
        (["coord@example.com"], "讲师已接受：寿险产品说明会"),
    ]
    assert "广州培训管理员邀请您担任“寿险产品说明会”的主讲" in mail.outbox[0].body
    invitation = Notice.objects.get(kind=NoticeKind.ASSIGNMENT_INVITED)
    assert (invitation.recipient, invitation.url) == (life_lecturer.person, "/lecturer/")


# Answering assignments


def test_only_the_lecturer_answers_their_invitation(ready_session, tree):
    assignment = ready_session.assignments.get()
    stranger = make_person(tree["PGZ"], Role.LECTURER)
    for call in (
        lambda: assignment_accept(person=stranger, assignment=assignment),
        lambda: assignment_decline(person=stranger, assignment=assignment),
    ):
        assert messages_of(call) == ["这不是您的授课邀请。"]
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.INVITED


def test_an_accepted_assignment_cannot_be_accepted_again(ready_session, life_lecturer):
    assignment = ready_session.assignments.get()
    assignment_accept(person=life_lecturer.person, assignment=assignment)
    assert messages_of(
        lambda: assignment_accept(person=life_lecturer.person, assignment=assignment)
    ) == ["这条指派目前为“已接受”，不能接受。"]


def test_a_lecturer_can_give_back_an_accepted_assignment_before_the_start(
    ready_session, life_lecturer, gz_coordinator
):
    assignment = ready_session.assignments.get()
    assignment_accept(person=life_lecturer.person, assignment=assignment)
    assignment_decline(person=life_lecturer.person, assignment=assignment, note="生病")

    assignment.refresh_from_db()
    assert (assignment.status, assignment.response_note) == (AssignmentStatus.DECLINED, "生病")
    accepted, declined = Notice.objects.filter(kind=NoticeKind.ASSIGNMENT_ANSWERED).order_by("pk")
    assert accepted.recipient == declined.recipient == gz_coordinator
    assert declined.title == f"讲师已拒绝：{ready_session.title}"
    assert "原因：生病" in declined.body


def test_the_workspace_lists_invitations_upcoming_and_past(
    new_session, life_lecturer, gz_coordinator
):
    user = gz_coordinator.user
    invited, upcoming, past = (new_session(starts_at=at(day, 9)) for day in (10, 11, 2))
    for session in (invited, upcoming, past):
        lecturer_assign(user=user, session=session, lecturer=life_lecturer, role=LEAD)
    for session in (upcoming, past):
        assignment_accept(
            person=life_lecturer.person, assignment=session.assignments.get(), at=at(1, 9)
        )

    lists = selectors.lecturer_assignments(person=life_lecturer.person, now=at(5, 9))

    assert [row.session for row in lists["invited"]] == [invited]
    assert [row.session for row in lists["upcoming"]] == [upcoming]
    assert [row.session for row in lists["past"]] == [past]


# Profiles, qualifications and corps


def test_a_profile_needs_the_lecturer_role(tree, gz_coordinator):
    agent = make_person(tree["PGZ"], Role.AGENT, name="业务员")
    with pytest.raises(ValidationError) as raised:
        lecturer_profile_save(user=gz_coordinator.user, profile=LecturerProfile(person=agent))
    assert raised.value.message_dict["person"] == [
        "“业务员”没有讲师角色，请先在人员管理中为其添加讲师角色。"
    ]


def test_a_lecturer_outside_the_subtree_is_refused(tree, gz_coordinator):
    outsider = make_person(tree["PSZ"], Role.LECTURER, name="深圳讲师")
    with pytest.raises(ValidationError) as raised:
        lecturer_profile_save(user=gz_coordinator.user, profile=LecturerProfile(person=outsider))
    assert raised.value.message_dict["person"] == [
        "只能管理自己管理范围内的讲师：“深圳讲师”不在其中。"
    ]
    assert not LecturerProfile.objects.exists()


def test_duplicate_qualifications_are_refused(tree, gz_coordinator):
    person = make_person(tree["PGZ"], Role.LECTURER)
    profile = LecturerProfile(person=person)
    profile.qualifications = [
        Qualification(company=tree["L"], source="appointed", obtained_on=date(2024, 1, 1))
        for _ in range(2)
    ]
    assert messages_of(
        lambda: lecturer_profile_save(user=gz_coordinator.user, profile=profile)
    ) == ["授课资格“人保寿险·全部主题”重复了。"]


def test_a_cascade_qualification_names_its_session(tree, gz_coordinator):
    profile = LecturerProfile(person=make_person(tree["PGZ"], Role.LECTURER))
    profile.qualifications = [
        Qualification(company=tree["L"], source="cascade", obtained_on=date(2024, 1, 1))
    ]
    assert messages_of(
        lambda: lecturer_profile_save(user=gz_coordinator.user, profile=profile)
    ) == ["授课资格“人保寿险·全部主题”：来自转培训的资格须注明来源场次。"]


def test_corps_memberships_beyond_the_coordinators_reach_are_kept(
    tree, gz_coordinator, group_coordinator, group_corps
):
    branch_corps = make_corps(tree["PGZ"], user=gz_coordinator.user, name="广州讲师队")
    lecturer = make_lecturer(tree["PGZ"], user=group_coordinator.user, corps=(group_corps,))

    profile = LecturerProfile.objects.get(pk=lecturer.pk)
    profile.corps = [branch_corps]  # what the branch coordinator's form submits
    lecturer_profile_save(user=gz_coordinator.user, profile=profile)

    assert set(LecturerProfile.objects.get(pk=lecturer.pk).corps.all()) == {
        group_corps,
        branch_corps,
    }


def test_joining_a_corps_needs_its_unit_to_hold_the_lecturer(tree, group_coordinator):
    shenzhen_corps = make_corps(tree["PSZ"], user=group_coordinator.user, name="深圳讲师队")
    with pytest.raises(ValidationError) as raised:
        make_lecturer(tree["PGZ"], user=group_coordinator.user, corps=(shenzhen_corps,), name="甲")
    assert raised.value.messages == ["“甲”不在讲师团“深圳讲师队”所属的人保财险深圳分公司之内。"]


def test_a_corps_cannot_move_away_from_its_members(tree, gz_coordinator, group_coordinator):
    corps = make_corps(tree["P"], user=group_coordinator.user, name="财险讲师团")
    make_lecturer(tree["PGZ"], user=group_coordinator.user, corps=(corps,), name="成员甲")
    with pytest.raises(ValidationError) as raised:
        corps_update(
            user=group_coordinator.user,
            corps=corps,
            owning_unit=tree["PSZ"],
            name=corps.name,
            description="",
            is_active=True,
        )
    assert raised.value.message_dict["owning_unit"] == [
        "成员“成员甲”不在“人保财险深圳分公司”之内，不能这样更改所属机构。"
    ]


def test_granting_a_qualification_twice_keeps_the_first(life_lecturer, tree):
    first = qualification_grant(
        lecturer=life_lecturer,
        company=tree["H"],
        source=QualificationSource.CERTIFIED,
        obtained_on=date(2025, 1, 1),
    )
    again = qualification_grant(
        lecturer=life_lecturer,
        company=tree["H"],
        source=QualificationSource.CERTIFIED,
        obtained_on=date(2025, 6, 1),
    )
    assert again == first and again.obtained_on == date(2025, 1, 1)


# Plans


def test_one_plan_per_unit_and_period(tree, gz_coordinator):
    make_plan(tree["PGZ"], user=gz_coordinator.user)
    with pytest.raises(ValidationError) as raised:
        make_plan(tree["PGZ"], user=gz_coordinator.user)
    assert raised.value.message_dict["quarter"] == [
        "人保财险广州分公司已有2031年第一季度的培训计划，请直接修改那一份。"
    ]


def test_a_plan_outside_the_subtree_is_refused(tree, gz_coordinator):
    with pytest.raises(ValidationError):
        make_plan(tree["PSZ"], user=gz_coordinator.user)
    assert not TrainingPlan.objects.exists()


def test_a_session_outside_the_plans_period_cannot_join_it(tree, new_session, gz_coordinator):
    plan = make_plan(tree["PGZ"], user=gz_coordinator.user, quarter=2)
    with pytest.raises(ValidationError) as raised:
        new_session(plan_item=plan.items.get())
    assert raised.value.message_dict["plan_item"] == [
        f"场次时间不在培训计划“{plan.title}”的期间（2031年第二季度）之内。"
    ]


def test_plan_progress_counts_planned_scheduled_and_held(
    tree, new_session, life_lecturer, gz_coordinator
):
    user = gz_coordinator.user
    plan = make_plan(
        tree["PGZ"],
        user=user,
        items=[
            PlanItem(
                kind=SessionKind.CROSS_COMPANY,
                topic="寿险产品",
                audience="财险代理人",
                planned_sessions=3,
                target_headcount=90,
            ),
            PlanItem(
                kind=SessionKind.CASCADE,
                topic="转培训",
                audience="兼职讲师",
                planned_sessions=1,
                target_headcount=20,
            ),
        ],
    )
    cross, cascade = plan.items.order_by("sort_order", "pk")
    held = new_session(plan_item=cross, starts_at=at(3, 9))
    lecturer_assign(user=user, session=held, lecturer=life_lecturer, role=LEAD)
    session_publish(user=user, session=held, at=at(1, 9))
    session_start(user=user, session=held, at=at(3, 9))
    session_complete(user=user, session=held, at=at(3, 11))
    new_session(plan_item=cross, starts_at=at(20, 9))
    cancelled = new_session(plan_item=cross, starts_at=at(21, 9))
    session_cancel(user=user, session=cancelled, reason="合并")

    progress = selectors.plan_progress(plan)

    rows = {row.item.pk: row for row in progress.items}
    assert (rows[cross.pk].scheduled, rows[cross.pk].held, rows[cross.pk].cancelled) == (1, 1, 1)
    assert (rows[cascade.pk].scheduled, rows[cascade.pk].held) == (0, 0)
    assert rows[cross.pk].held_share == 33
    assert (progress.planned_sessions, progress.target_headcount, progress.held) == (4, 110, 1)
    assert len(progress.sessions) == 3


def test_notices_are_marked_read(life_lecturer, new_session, gz_coordinator):
    from lecturer_portal.services import notices_mark_read

    lecturer_assign(
        user=gz_coordinator.user, session=new_session(), lecturer=life_lecturer, role=LEAD
    )
    person = life_lecturer.person
    assert selectors.unread_notice_count(person) == 1
    assert notices_mark_read(person=person, at=at(1, 9)) == 1
    assert selectors.unread_notice_count(person) == 0
