import pytest

from organization.demo import DemoContext
from reports.demo import DEMO_STATISTICS_CLIENT, DEMO_STATISTICS_TOKEN, load_reports_demo
from reports.models import StatisticsClient


@pytest.mark.django_db
def test_the_demo_statistics_token_reads_the_whole_group_and_is_made_once(client, tree):
    for _run in range(2):
        context = DemoContext(units={"PICC": tree["group"]}, log=lambda line: None)
        load_reports_demo(context)
    assert StatisticsClient.objects.filter(name=DEMO_STATISTICS_CLIENT).count() == 1
    assert [row.password for row in context.logins] == [DEMO_STATISTICS_TOKEN]
    response = client.get(
        "/api/v1/statistics/units/", headers={"Authorization": f"Bearer {DEMO_STATISTICS_TOKEN}"}
    )
    assert response.status_code == 200
    names = {row["unit"]["name"] for row in response.json()["results"]}
    assert names == {tree[code].name for code in ("P", "L", "H")}
