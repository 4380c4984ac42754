"""Demo data for ``manage.py load_demo``: the org tree, a few hundred people and the demo logins.

Every step is idempotent: it creates what is missing and leaves what exists alone, so running the
command twice changes nothing and a half-loaded database is filled in. Data goes through the
services, so it is what users would have made.

Later apps add their own steps without organization importing them: a step is a function taking
the ``DemoContext``, registered in the app's ``wagtail_hooks.py``::

    @hooks.register("register_demo_data")
    def load_course_demo(context: DemoContext) -> None: ...

Steps run after this module's own, in hook order (``order=``, then ``INSTALLED_APPS`` order, which
follows the app dependency direction).
"""

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail import hooks

from .models import Channel, OrgUnit, OrgUnitKind, Person, Role
from .services import org_unit_create, person_create

DEMO_DATA_HOOK = "register_demo_data"
DEMO_PASSWORD = "demo-2025"
ADMIN_USERNAME = "admin"

COMPANIES = [("P", "人保财险"), ("L", "人保寿险"), ("H", "人保健康")]
# 广东 → 广州、深圳 → two real districts each (GB/T 2260), with one or two outlets per district.
PROVINCE = ("GD", "广东", "440000")
PREFECTURES = [
    ("GZ", "广州", "440100", [("TH", "天河", "440106", 2), ("YX", "越秀", "440104", 1)]),
    ("SZ", "深圳", "440300", [("FT", "福田", "440304", 2), ("NS", "南山", "440305", 1)]),
]
OUTLET_ORDINALS = "一二三"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓"
    "曹彭曾肖田董袁潘于蒋蔡余杜叶程魏苏吕丁沈"
)
GIVEN_NAMES = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩凯丹婷雪琳晨欣佳嘉"
)
AGENTS_PER_OUTLET = 13
COUNTER_STAFF_PER_OUTLET = 2
INTERACTION_STAFF_PER_PREFECTURE = 2
EMPLOYEE_AGENTS_PER_COUNTY = 1
LECTURERS_PER_PREFECTURE = 2


@dataclass(frozen=True)
class PersonSpec:
    employee_no: str
    name: str
    unit_code: str
    channel: str
    roles: tuple[str, ...]
    password: str | None = None


@dataclass(frozen=True)
class DemoLogin:
    """A row of the table printed at the end: who to log in as, and what they will see."""

    role: str
    username: str
    password: str
    sees: str


@dataclass
class DemoContext:
    """What the steps share: units by code, the demo people by role, and the logins table."""

    units: dict[str, OrgUnit] = field(default_factory=dict)
    demo_people: dict[str, Person] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    log: Callable[[str], None] = print


def unit_specs() -> list[tuple[str | None, str, str, str, str]]:
    """(parent code, kind, code, name, region code) for every demo unit, parents first."""
    specs = [(None, OrgUnitKind.GROUP, "PICC", "中国人保集团", "110000")]
    code, province_name, province_region = PROVINCE
    for prefix, company in COMPANIES:
        province = f"{prefix}-{code}"
        specs += [
            ("PICC", OrgUnitKind.COMPANY, prefix, company, "110000"),
            (
                prefix,
                OrgUnitKind.PROVINCE,
                province,
                f"{company}{province_name}分公司",
                province_region,
            ),
        ]
        for city_code, city, city_region, districts in PREFECTURES:
            prefecture = f"{province}-{city_code}"
            specs.append(
                (
                    province,
                    OrgUnitKind.PREFECTURE,
                    prefecture,
                    f"{company}{city}分公司",
                    city_region,
                )
            )
            for district_code, district, district_region, outlets in districts:
                county = f"{prefecture}-{district_code}"
                specs.append(
                    (
                        prefecture,
                        OrgUnitKind.COUNTY,
                        county,
                        f"{company}{city}{district}支公司",
                        district_region,
                    )
                )
                specs += [
                    (
                        county,
                        OrgUnitKind.OUTLET,
                        f"{county}-{number:02d}",
                        f"{company}{district}第{OUTLET_ORDINALS[number - 1]}营业部",
                        district_region,
                    )
                    for number in range(1, outlets + 1)
                ]
    return specs


def demo_login_specs() -> list[PersonSpec]:
    """The people behind the demo logins, one per role."""
    return [
        PersonSpec(
            "agent01", "李明", "P-GD-GZ-TH-01", Channel.AGENT_FORCE, (Role.AGENT,), DEMO_PASSWORD
        ),
        PersonSpec(
            "lecturer01", "王芳", "L-GD-GZ", Channel.EMPLOYEE, (Role.LECTURER,), DEMO_PASSWORD
        ),
        PersonSpec(
            "manager01", "陈建国", "P-GD-GZ", Channel.EMPLOYEE, (Role.MANAGER,), DEMO_PASSWORD
        ),
        PersonSpec("coord01", "刘洋", "P-GD", Channel.EMPLOYEE, (Role.COORDINATOR,), DEMO_PASSWORD),
    ]


def people_specs(units: list[tuple[str | None, str, str, str, str]]) -> list[PersonSpec]:
    """Everyone else, the same list on every run: employee numbers count per company (P00001 …,
    G00001 for the group) in unit order, and names come from a fixed seed.

    Posts (the rules' 第二十一条 and the design): a coordinator at the group, each company and each
    province; a manager at each province and prefecture; two full-time cross-selling lecturers
    at each prefecture; interaction-department staff at each prefecture, an employee selling
    at each county, agents and counter staff at each outlet.
    """
    rng = random.Random(2025)
    taken = {spec.name for spec in demo_login_specs()}
    # The demo logins hold posts of their own (manager01 is 人保财险广州分公司's manager).
    held = Counter((spec.unit_code, spec.roles[0]) for spec in demo_login_specs())
    counters: dict[str, int] = {}
    specs = []

    def add(unit_code: str, channel: str, *roles: str) -> None:
        if held[unit_code, roles[0]]:
            held[unit_code, roles[0]] -= 1
            return
        company = unit_code.split("-")[0] if unit_code != "PICC" else "G"
        counters[company] = counters.get(company, 0) + 1
        name = ""
        while not name or name in taken:
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN_NAMES, k=rng.choice((1, 2, 2))))
        taken.add(name)
        specs.append(
            PersonSpec(f"{company}{counters[company]:05d}", name, unit_code, channel, roles)
        )

    for _parent, kind, code, _name, _region in units:
        if kind in (OrgUnitKind.GROUP, OrgUnitKind.COMPANY):
            add(code, Channel.EMPLOYEE, Role.COORDINATOR)
        elif kind == OrgUnitKind.PROVINCE:
            add(code, Channel.EMPLOYEE, Role.MANAGER)
            add(code, Channel.EMPLOYEE, Role.COORDINATOR)
        elif kind == OrgUnitKind.PREFECTURE:
            add(code, Channel.EMPLOYEE, Role.MANAGER)
            for _ in range(LECTURERS_PER_PREFECTURE):
                add(code, Channel.EMPLOYEE, Role.LECTURER)
            for _ in range(INTERACTION_STAFF_PER_PREFECTURE):
                add(code, Channel.INTERACTION, Role.AGENT)
        elif kind == OrgUnitKind.COUNTY:
            for _ in range(EMPLOYEE_AGENTS_PER_COUNTY):
                add(code, Channel.EMPLOYEE, Role.AGENT)
        elif kind == OrgUnitKind.OUTLET:
            for _ in range(AGENTS_PER_OUTLET):
                add(code, Channel.AGENT_FORCE, Role.AGENT)
            for _ in range(COUNTER_STAFF_PER_OUTLET):
                add(code, Channel.COUNTER, Role.AGENT)
    return specs


def _mobile_and_hire_date(employee_no: str) -> tuple[str, date]:
    """Stable per person, whatever else exists: seeded by the employee number."""
    rng = random.Random(employee_no)
    mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    return mobile, date(2010, 1, 1) + timedelta(days=rng.randrange(15 * 365))


def load_organization(context: DemoContext) -> None:
    """The group's tree, its people and the demo logins, each created only if missing."""
    units = unit_specs()
    existing_units = {
        unit.code: unit for unit in OrgUnit.objects.filter(code__in=[u[2] for u in units])
    }
    created_units = 0
    for parent_code, kind, code, name, region in units:
        unit = existing_units.get(code)
        if unit is None:
            parent = context.units[parent_code] if parent_code else None
            unit = org_unit_create(
                parent=parent, kind=kind, code=code, name=name, region_code=region
            )
            created_units += 1
        context.units[code] = unit

    logins = demo_login_specs()
    specs = logins + people_specs(units)
    existing_people = set(
        Person.objects.filter(employee_no__in=[s.employee_no for s in specs]).values_list(
            "employee_no", flat=True
        )
    )
    created_people = 0
    for spec in specs:
        if spec.employee_no in existing_people:
            continue
        mobile, hire_date = _mobile_and_hire_date(spec.employee_no)
        person_create(
            employee_no=spec.employee_no,
            name=spec.name,
            mobile=mobile,
            org_unit=context.units[spec.unit_code],
            channel=spec.channel,
            roles=list(spec.roles),
            hire_date=hire_date,
            password=spec.password,
        )
        created_people += 1

    people = Person.objects.select_related("org_unit", "user").in_bulk(
        [s.employee_no for s in logins], field_name="employee_no"
    )
    context.demo_people.update({spec.roles[0]: people[spec.employee_no] for spec in logins})
    context.logins += _login_rows(context)
    if _ensure_admin():
        context.log(_("已创建超级管理员 %(name)s。") % {"name": ADMIN_USERNAME})
    context.log(
        _("组织与人员：新建机构 %(units)d/%(all_units)d 个，人员 %(people)d/%(all_people)d 人。")
        % {
            "units": created_units,
            "people": created_people,
            "all_units": len(units),
            "all_people": len(specs),
        }
    )


def _ensure_admin() -> bool:
    user_model = get_user_model()
    if user_model.objects.filter(username=ADMIN_USERNAME).exists():
        return False
    user_model.objects.create_superuser(username=ADMIN_USERNAME, email="", password=DEMO_PASSWORD)
    return True


def _login_rows(context: DemoContext) -> list[DemoLogin]:
    people = context.demo_people
    rows = [
        (Role.AGENT, _("%(unit)s的业务人员：自己的课程、学习进度、考试和证书，报名并签到培训。")),
        (
            Role.LECTURER,
            _("%(unit)s的专职交叉销售讲师：管理后台里发布课程和资料、出题组卷，承接培训场次。"),
        ),
        (Role.MANAGER, _("%(unit)s及下级机构：人员、学习完成、认证和出勤情况，可逐级下钻和导出。")),
        (
            Role.COORDINATOR,
            _("%(unit)s及下级机构：维护机构和人员，制定培训计划，指派必修培训，安排场次和讲师。"),
        ),
    ]
    logins = [
        DemoLogin(
            str(Role(role).label),
            people[role].employee_no,
            DEMO_PASSWORD,
            sees % {"unit": people[role].org_unit.name},
        )
        for role, sees in rows
    ]
    logins.append(
        DemoLogin(
            _("超级管理员"),
            ADMIN_USERNAME,
            DEMO_PASSWORD,
            _("整个集团的全部机构和人员，以及管理后台的全部功能。"),
        )
    )
    return logins


def demo_steps() -> list[Callable[[DemoContext], None]]:
    """This module's step, then those other apps registered with the ``register_demo_data`` hook."""
    return [load_organization, *hooks.get_hooks(DEMO_DATA_HOOK)]


def load_demo(*, log: Callable[[str], None] = print) -> DemoContext:
    """Run every demo step in order, each in its own transaction: a step that fails leaves
    nothing half-done, and the steps before it stay loaded."""
    context = DemoContext(log=log)
    for step in demo_steps():
        with transaction.atomic():
            step(context)
    return context
