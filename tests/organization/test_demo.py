from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail import hooks

from organization.demo import DEMO_DATA_HOOK, DEMO_PASSWORD, DemoContext
from organization.models import Channel, OrgUnit, OrgUnitKind, Person, Role
from organization.services import org_unit_create
from quizzes.certificate_demo import DEMO_API_CLIENT, DEMO_API_TOKEN
from quizzes.models import Certificate
from reports.demo import DEMO_STATISTICS_CLIENT, DEMO_STATISTICS_TOKEN

User = get_user_model()


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue()


def logins_table(output: str) -> dict[str, tuple[str, str]]:
    """The printed table's rows as {employee no.: (role label, password)}."""
    lines = output.split("演示账号：", 1)[1].strip().splitlines()[2:]
    rows = {}
    for line in lines:
        role, username, password, _sees = line.split(maxsplit=3)
        rows[username] = (role, password)
    return rows


def snapshot() -> dict:
    return {
        "units": sorted(
            OrgUnit.objects.values_list("code", "name", "kind", "region_code", "path", "numchild")
        ),
        "people": sorted(
            Person.objects.values_list(
                "employee_no", "name", "mobile", "org_unit__code", "channel", "hire_date"
            )
        ),
        "roles": sorted(User.groups.through.objects.values_list("user__username", "group__name")),
        "users": User.objects.count(),
    }


@pytest.mark.django_db
def test_running_twice_changes_nothing(django_assert_max_num_queries):
    load_demo()
    first = snapshot()
    # A rerun only checks what exists: a few reads per demo step (organization, courses, the
    # question bank, certificates, lecturer portal, the statistics client), never one per person
    # or page. Each step also runs in its own savepoint (two statements).
    with django_assert_max_num_queries(33):
        output = load_demo()
    assert snapshot() == first
    assert "新建机构 0/43 个，人员 0/322 人" in output


@pytest.mark.django_db
def test_rerun_fills_in_what_is_missing():
    load_demo()
    complete = snapshot()
    outlet = OrgUnit.objects.get(code="H-GD-SZ-NS-01")
    gone = [*outlet.people.select_related("user"), Person.objects.get(employee_no="agent01")]
    # Certificates keep their holder (PROTECT): clear the demo ones of the people removed here.
    Certificate.objects.filter(person__in=gone).delete()
    for person in gone:
        person.delete()
        person.user.delete()
    outlet.delete()

    output = load_demo()

    assert "新建机构 1/43 个" in output
    assert f"人员 {len(gone)}/322 人" in output
    assert snapshot() == complete


@pytest.mark.django_db
def test_each_printed_login_signs_in_with_its_role_and_unit(client):
    rows = logins_table(load_demo())
    expected = {
        "agent01": (Role.AGENT, "P-GD-GZ-TH-01"),
        "lecturer01": (Role.LECTURER, "L-GD-GZ"),
        "manager01": (Role.MANAGER, "P-GD-GZ"),
        "coord01": (Role.COORDINATOR, "P-GD"),
    }
    # The table also prints the demo API client's token (quizzes' certification check API).
    _client_label, api_token = rows.pop(DEMO_API_CLIENT)
    assert api_token == DEMO_API_TOKEN
    # And the statistics API's (reports).
    _client_label, statistics_token = rows.pop(DEMO_STATISTICS_CLIENT)
    assert statistics_token == DEMO_STATISTICS_TOKEN
    assert set(rows) == {*expected, "admin"}
    for username, (role_label, password) in rows.items():
        assert password == DEMO_PASSWORD
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
        client.logout()
        if username == "admin":
            assert User.objects.get(username="admin").is_superuser
            continue
        role, unit_code = expected[username]
        person = Person.objects.select_related("org_unit").get(employee_no=username)
        assert role_label == Role(role).label
        assert person.roles == {role}
        assert person.org_unit.code == unit_code


@pytest.mark.django_db
def test_demo_logins_hold_the_documented_posts():
    load_demo()
    gz = OrgUnit.objects.get(code="P-GD-GZ")
    assert gz.name == "人保财险广州分公司"
    assert [p.employee_no for p in gz.people.with_role(Role.MANAGER)] == ["manager01"]
    assert [
        p.employee_no
        for p in Person.objects.with_role(Role.COORDINATOR).filter(org_unit__code="P-GD")
    ] == ["coord01"]
    lecturer = Person.objects.get(employee_no="lecturer01")
    assert lecturer.org_unit.name == "人保寿险广州分公司"
    assert lecturer.company.code == "L"
    agent = Person.objects.get(employee_no="agent01")
    assert agent.company.code == "P"
    assert agent.org_unit.is_within(gz)


@pytest.mark.django_db
def test_tree_has_the_documented_shape():
    load_demo()
    assert OrgUnit.find_problems() == ([], [], [], [], [])
    (group,) = OrgUnit.get_root_nodes()
    assert (group.code, group.name, group.region_code) == ("PICC", "中国人保集团", "110000")
    companies = {c.code: c for c in group.get_children()}
    assert {code: c.name for code, c in companies.items()} == {
        "P": "人保财险",
        "L": "人保寿险",
        "H": "人保健康",
    }
    districts = {"GZ": {"TH": "440106", "YX": "440104"}, "SZ": {"FT": "440304", "NS": "440305"}}
    for code, company in companies.items():
        (province,) = company.get_children()
        assert (province.code, province.kind, province.region_code) == (
            f"{code}-GD",
            OrgUnitKind.PROVINCE,
            "440000",
        )
        prefectures = {p.code: p for p in province.get_children()}
        assert {c: p.region_code for c, p in prefectures.items()} == {
            f"{code}-GD-GZ": "440100",
            f"{code}-GD-SZ": "440300",
        }
        for city, city_districts in districts.items():
            counties = prefectures[f"{code}-GD-{city}"].get_children()
            assert {c.code: c.region_code for c in counties} == {
                f"{code}-GD-{city}-{d}": region for d, region in city_districts.items()
            }
            for county in counties:
                assert county.kind == OrgUnitKind.COUNTY
                outlets = county.get_children()
                assert 1 <= len(outlets) <= 2
                assert {o.kind for o in outlets} == {OrgUnitKind.OUTLET}
                assert {o.region_code for o in outlets} == {county.region_code}
        assert set(company.units.values_list("pk", flat=True)) == set(
            OrgUnit.objects.filter(path__startswith=company.path).values_list("pk", flat=True)
        )
    assert OrgUnit.objects.get(code="P-GD-GZ-TH").name == "人保财险广州天河支公司"


@pytest.mark.django_db
def test_people_are_mostly_agents_with_posts_at_every_level():
    load_demo()
    people = Person.objects.all()
    assert 250 <= people.count() <= 350
    agents = people.with_role(Role.AGENT)
    assert agents.count() > 0.8 * people.count()
    assert set(agents.values_list("channel", flat=True)) == set(Channel.values)
    assert people.with_role(Role.COORDINATOR).filter(org_unit__code="PICC").exists()
    for unit in OrgUnit.objects.exclude(kind__in=[OrgUnitKind.COUNTY, OrgUnitKind.OUTLET]):
        posts = set(
            unit.people.exclude(user__groups__name=Role.AGENT).values_list(
                "user__groups__name", flat=True
            )
        )
        expected = {
            OrgUnitKind.GROUP: {Role.COORDINATOR},
            OrgUnitKind.COMPANY: {Role.COORDINATOR},
            OrgUnitKind.PROVINCE: {Role.MANAGER, Role.COORDINATOR},
            OrgUnitKind.PREFECTURE: {Role.MANAGER, Role.LECTURER},
        }[unit.kind]
        assert posts == expected, unit.code
    for prefecture in OrgUnit.objects.filter(kind=OrgUnitKind.PREFECTURE):
        assert prefecture.people.with_role(Role.LECTURER).count() == 2
        assert prefecture.people.with_role(Role.MANAGER).count() == 1
    generated = people.exclude(user__password__startswith="!").exclude(
        employee_no__in=["agent01", "lecturer01", "manager01", "coord01"]
    )
    assert not generated.exists(), "only the demo logins have a usable password"
    assert len(set(people.values_list("name", flat=True))) == people.count()


@pytest.mark.django_db
def test_later_apps_steps_run_after_the_organization_with_its_data():
    seen = {}

    def later_step(context: DemoContext) -> None:
        seen["unit"] = context.units["L-GD-GZ"].name
        seen["lecturer"] = context.demo_people[Role.LECTURER].employee_no
        seen["people"] = Person.objects.count()

    with hooks.register_temporarily(DEMO_DATA_HOOK, later_step):
        load_demo()
    assert seen == {"unit": "人保寿险广州分公司", "lecturer": "lecturer01", "people": 322}


@pytest.mark.django_db
def test_refuses_to_load_without_debug_unless_forced():
    with pytest.raises(CommandError) as error:
        call_command("load_demo", stdout=StringIO())
    assert (
        str(error.value)
        == "演示账号共用公开的密码，只在调试模式（DEBUG）下载入；确需载入请加 --force。"
    )
    assert not OrgUnit.objects.exists()


@pytest.mark.django_db
def test_a_foreign_root_is_reported_not_a_traceback():
    org_unit_create(parent=None, kind=OrgUnitKind.GROUP, code="OTHER", name="别的集团")
    with pytest.raises(CommandError) as error:
        load_demo()
    assert str(error.value) == "机构树已有根机构（集团），不能再建第二个。"
