"""The cross-company matrix: certified people by pair per child unit, drill-down, scope, export."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from organization.models import Channel, Role
from quizzes.certificates import certificate_issue
from tests.quizzes.certificate_factories import make_certification, make_quiz
from tests.reports.test_exports import table

CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)


@pytest.fixture
def holders(tree, person_factory):
    """产代寿: two in 广州 (one at the counter), one in 深圳 (expired); 寿代产: one; 健代寿: one."""
    quiz = make_quiz(company=tree["P"], audience=[tree["P"], tree["L"], tree["H"]])
    p_l = make_certification(quiz=quiz, product_company=tree["L"], holder_company=tree["P"])
    l_p = make_certification(quiz=quiz, product_company=tree["P"], holder_company=tree["L"])
    any_l = make_certification(quiz=quiz, product_company=tree["L"])
    now = timezone.now()
    for unit, certification, channel, at in (
        ("PGZ0101", p_l, Channel.AGENT_FORCE, now),
        ("PGZ0101", p_l, Channel.COUNTER, now),
        ("PSZ0101", p_l, Channel.AGENT_FORCE, now - timedelta(days=800)),
        ("LSZ0101", l_p, Channel.AGENT_FORCE, now),
        ("HGZ0101", any_l, Channel.AGENT_FORCE, now),
    ):
        person = person_factory(tree[unit], Role.AGENT, channel=channel)
        certificate_issue(certification=certification, person=person, at=at)
    return {"p_l": p_l, "l_p": l_p}


def rows(page: str) -> list[str]:
    """The table's body and total rows as text, cells separated by spaces."""
    body = page.split('class="card report-matrix"')[1].split("</table>")[0]
    body = body.split("</thead>")[1]
    return [
        " ".join(re.sub(r"<[^>]+>", "", cell).strip() for cell in CELL.findall(tr))
        for tr in body.split("<tr>")[1:]
    ]


def test_the_group_sees_each_company_by_pair_and_drills_down(tree, holders, person_factory, login):
    client = login(person_factory(tree["group"], Role.COORDINATOR))
    page = client.get("/reports/matrix/").content.decode()
    assert "产代寿" in page and "健代寿" in page
    # columns: 产代寿 寿代产 产代健 健代产 寿代健 健代寿 合计
    assert rows(page) == [
        "人保财险 2 0 0 0 0 0 2",
        "人保寿险 0 1 0 0 0 0 1",
        "人保健康 0 0 0 0 0 1 1",
        "合计 2 1 0 0 0 1 4",
    ]
    page = client.get(f"/reports/matrix/?unit={tree['PGD'].pk}").content.decode()
    assert rows(page)[:2] == [
        "人保财险广州分公司 2 0 0 0 0 0 2",
        "人保财险深圳分公司 0 0 0 0 0 0 0",
    ]
    assert "中国人保集团" in page  # the breadcrumb back up
    page = client.get(f"/reports/matrix/?unit={tree['PGD'].pk}&channel=counter").content.decode()
    assert rows(page)[0] == "人保财险广州分公司 1 0 0 0 0 0 1"
    certification = holders["l_p"].pk
    page = client.get(f"/reports/matrix/?certification={certification}").content.decode()
    assert rows(page)[-1] == "合计 0 1 0 0 0 0 1"


@pytest.mark.parametrize("code", ["LGD", "P", "group", "LGZ0101"])
def test_a_manager_cannot_open_a_unit_outside_their_subtree(code, tree, person_factory, login):
    client = login(person_factory(tree["PGD"], Role.MANAGER))
    assert client.get(f"/reports/matrix/?unit={tree[code].pk}").status_code == 404
    assert client.get(f"/reports/matrix/?unit={tree[code].pk}&format=xlsx").status_code == 404
    assert client.get(f"/reports/matrix/?unit={tree['PGZ'].pk}").status_code == 200


def test_an_agent_has_no_matrix(tree, person_factory, login):
    client = login(person_factory(tree["PGZ0101"], Role.AGENT))
    assert client.get("/reports/matrix/").status_code == 403


def test_the_query_count_does_not_grow_with_the_child_units(
    tree, holders, person_factory, login, django_assert_max_num_queries
):
    client = login(person_factory(tree["group"], Role.COORDINATOR))
    counts = []
    for code in ("group", "PGD", "PGZ"):  # 3, 2 and 1 child units
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/reports/matrix/?unit={tree[code].pk}").status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts
    with django_assert_max_num_queries(12):
        client.get("/reports/matrix/")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_matrix_exports_with_the_page_filters(fmt, tree, holders, person_factory, login):
    client = login(person_factory(tree["PGD"], Role.MANAGER))
    response = client.get(f"/reports/matrix/?unit={tree['PGZ'].pk}&format={fmt}")
    got = table(response)
    assert [str(v) for v in got[0]] == [
        "机构", "产代寿", "寿代产", "产代健", "健代产", "寿代健", "健代寿", "合计"
    ]  # fmt: skip
    assert [str(v) for v in got[1]] == ["广州第一支公司", "2", "0", "0", "0", "0", "0", "2"]
    assert [str(v) for v in got[-1]] == ["合计", "2", "0", "0", "0", "0", "0", "2"]
    refused = client.get(f"/reports/matrix/?company={tree['L'].pk}&format={fmt}")
    assert refused.status_code == 400
