"""The certification rollup equals a brute-force count over the certificates after any sequence
of events, each made through the real services: grant by a pass, renewal, revocation, regrade,
certificates that expire as days pass, and people moved, deactivated, reactivated, re-channelled,
and subtrees moved."""

import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone

from organization.models import Channel, OrgUnit, Person, Role
from organization.services import org_unit_move, person_deactivate
from quizzes.certificates import certificate_issue, certificate_revoke
from quizzes.models import Attempt, Certificate, Question
from quizzes.services import attempt_answer_save, attempt_start, attempt_submit, question_regrade
from reports.filters import Filters
from reports.models import CertificationRollup
from reports.rollups import certificates as rollups
from reports.selectors.units import certification_counts
from tests.quizzes.certificate_factories import make_certification, make_quiz
from tests.reports.test_rollups import update


def brute_force() -> dict:
    """Per unit: each active person's latest unrevoked certificate per certification, counted
    one unit at a time from the people's own place."""
    counts = {}
    for unit in OrgUnit.objects.all():
        rows = (
            Certificate.objects.filter(
                person__org_unit__path__startswith=unit.path,
                person__is_active=True,
                revoked_at__isnull=True,
            )
            .values("person_id", "certification_id", "person__channel")
            .annotate(expires=Max("expires_on"))
        )
        for row in rows:
            key = (unit.pk, row["certification_id"], row["person__channel"], row["expires"])
            counts[key] = counts.get(key, 0) + 1
    return counts


def stored() -> dict:
    return {
        (r.unit_id, r.certification_id, r.channel, r.expires_on): r.n_holders
        for r in CertificationRollup.objects.all()
        if r.n_holders
    }


def valid_on(unit, day) -> tuple[int, int]:
    """(holders valid on ``day``, of whom expiring within 30 days), from the raw certificates."""
    valid = Certificate.objects.valid_on(day).filter(
        person__org_unit__path__startswith=unit.path, person__is_active=True
    )
    pairs = valid.values("person_id", "certification_id").annotate(expires=Max("expires_on"))
    return len(pairs), sum(row["expires"] <= day + timedelta(days=30) for row in pairs)


class Holders:
    def __init__(self, rng, tree, person_factory, coordinator):
        self.rng, self.tree, self.coordinator = rng, tree, coordinator
        self.outlets = [u for code, u in tree.items() if len(code) == 7]
        companies = [tree["P"], tree["L"], tree["H"]]
        self.quiz = make_quiz(company=tree["P"], audience=companies)
        self.certifications = [
            make_certification(quiz=self.quiz, product_company=tree["L"], holder_company=tree["P"]),
            make_certification(quiz=self.quiz, product_company=tree["H"], validity_months=1),
        ]
        self.people = [
            person_factory(rng.choice(self.outlets), Role.AGENT, channel=rng.choice(Channel.values))
            for _ in range(8)
        ]

    def person(self):
        return Person.objects.select_related("org_unit", "user").get(
            pk=self.rng.choice(self.people).pk
        )

    def take_quiz(self):
        person = self.person()
        if not person.is_active:
            return
        # Answers 正确 or 错误 at random; which one passes depends on the current key.
        at = timezone.now()
        attempt = attempt_start(quiz=self.quiz, person=person, at=at)
        response = self.rng.random() < 0.7
        attempt_answer_save(attempt=attempt, person=person, position=0, response=response, at=at)
        attempt_submit(attempt=attempt, person=person, at=at)

    def issue_backdated(self):
        # Issued long ago: expired already, or expiring soon.
        at = timezone.now() - timedelta(days=self.rng.randint(10, 800))
        certification = self.rng.choice(self.certifications)
        certificate_issue(certification=certification, person=self.person(), at=at)

    def renew(self):
        person = self.person()
        certification = self.rng.choice(self.certifications)
        current = (
            Certificate.objects.filter(person=person, certification=certification)
            .filter(revoked_at__isnull=True)
            .order_by("-expires_on")
            .first()
        )
        certificate_issue(
            certification=certification, person=person, at=timezone.now(), renews=current
        )

    def revoke(self):
        live = Certificate.objects.filter(revoked_at__isnull=True).order_by("pk")
        if live:
            certificate_revoke(
                certificate=self.rng.choice(list(live)),
                reason="资料不实",
                user=self.coordinator.user,
            )

    def regrade(self):
        if not Attempt.objects.filter(quiz=self.quiz, submitted_at__isnull=False).exists():
            return self.take_quiz()
        question = Question.objects.get(quiz_links__quiz=self.quiz)
        Question.objects.filter(pk=question.pk).update(is_true=not question.is_true)
        question_regrade(question=question, user=None, reason="更正答案", quiz=self.quiz)

    def move(self):
        update(self.person(), org_unit=self.rng.choice(self.outlets))

    def change_channel(self):
        update(self.person(), channel=self.rng.choice(Channel.values))

    def deactivate(self):
        person_deactivate(person=self.person())

    def reactivate_and_move(self):
        update(self.person(), is_active=True, org_unit=self.rng.choice(self.outlets))

    def move_subtree(self):
        county = OrgUnit.objects.get(pk=self.rng.choice(self.outlets).get_parent().pk)
        prefectures = OrgUnit.objects.filter(kind="prefecture").exclude(
            path=county.path[: -OrgUnit.steplen]
        )
        org_unit_move(unit=county, new_parent=self.rng.choice(list(prefectures)))

    EVENTS = (
        "take_quiz", "take_quiz", "take_quiz", "issue_backdated", "issue_backdated", "renew",
        "revoke", "regrade", "move", "change_channel", "deactivate", "reactivate_and_move",
        "move_subtree",
    )  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2])
def test_certification_rollup_equals_a_brute_force_count_after_every_event(
    seed, tree, person_factory, group_coordinator
):
    rng = random.Random(seed)
    world = Holders(rng, tree, person_factory, group_coordinator)
    for step in range(40):
        event = rng.choice(Holders.EVENTS)
        getattr(world, event)()
        assert stored() == brute_force(), f"step {step}: {event}"
    assert Certificate.objects.filter(revoked_at__isnull=False).exists()
    assert rollups.diff() == []
    # The days pass without a write: the columns read on later days still match.
    today = timezone.localdate()
    units = [tree["group"], tree["P"], tree["L"], tree["H"]]
    for day in (today, today + timedelta(days=20), today + timedelta(days=400)):
        counts = certification_counts(units, Filters(), day)
        for unit in units:
            got = counts.get(unit.pk, {})
            assert (got.get("certified", 0), got.get("expiring", 0)) == valid_on(unit, day)


def test_valid_and_expiring_columns_and_their_filters(
    tree, person_factory, django_assert_num_queries
):
    today = timezone.localdate()
    quiz = make_quiz(company=tree["P"], audience=[tree["P"]])
    p_to_l = make_certification(quiz=quiz, product_company=tree["L"], holder_company=tree["P"])
    monthly = make_certification(quiz=quiz, product_company=tree["H"], validity_months=1)
    gz = person_factory(tree["PGZ0101"], Role.AGENT)
    sz = person_factory(tree["PSZ0101"], Role.AGENT, channel=Channel.COUNTER)
    now = timezone.now()
    certificate_issue(certification=p_to_l, person=gz, at=now)  # valid two years
    certificate_issue(certification=monthly, person=gz, at=now - timedelta(days=10))  # expiring
    old = certificate_issue(certification=p_to_l, person=sz, at=now - timedelta(days=800))
    units = [tree["PGD"], tree["PGZ"], tree["PSZ"]]
    with django_assert_num_queries(1):
        counts = certification_counts(units, Filters(), today)
    assert counts[tree["PGD"].pk] == {"certified": 2, "expiring": 1}
    assert tree["PSZ"].pk not in counts  # expired
    # A renewal counts the person once, with the new expiry.
    certificate_issue(certification=p_to_l, person=sz, at=now, renews=old)
    counts = certification_counts(units, Filters(certification_id=p_to_l.pk), today)
    assert counts[tree["PGD"].pk] == {"certified": 2, "expiring": 0}
    counts = certification_counts(units, Filters(channel=Channel.COUNTER), today)
    assert counts == {tree["PGD"].pk: {"certified": 1, "expiring": 0}, tree["PSZ"].pk: {
        "certified": 1, "expiring": 0}}  # fmt: skip
    person_deactivate(person=gz)
    counts = certification_counts(units, Filters(), today)
    assert counts[tree["PGD"].pk] == {"certified": 1, "expiring": 0}


def test_rebuild_recounts_the_holders(tree, person_factory):
    quiz = make_quiz(company=tree["P"], audience=[tree["P"]])
    certification = make_certification(quiz=quiz, product_company=tree["L"])
    agent = person_factory(tree["PGZ0101"], Role.AGENT)
    certificate_issue(certification=certification, person=agent, at=timezone.now())
    want = stored()
    CertificationRollup.objects.all().delete()
    assert rollups.diff()
    call_command("rollups_rebuild")
    assert stored() == want == brute_force()


def test_the_dashboard_shows_the_certification_columns(tree, person_factory, login):
    quiz = make_quiz(company=tree["P"], audience=[tree["P"]])
    certification = make_certification(quiz=quiz, product_company=tree["L"], validity_months=1)
    agent = person_factory(tree["PGZ0101"], Role.AGENT)
    at = timezone.now() - timedelta(days=5)  # a month's certificate: expires within 30 days
    certificate_issue(certification=certification, person=agent, at=at)
    client = login(person_factory(tree["PGD"], Role.MANAGER))
    page = client.get(f"/reports/?unit={tree['PGZ'].pk}").content.decode()
    assert "<th>持有效资格</th><th>30天内到期</th>" in page
    row = page.split("广州第一支公司</a></td>")[1].split("</tr>")[0]
    assert row.count("<td>1</td>") == 3  # 业务人员, 持有效资格, 30天内到期
