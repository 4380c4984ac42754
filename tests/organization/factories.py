"""Build org trees and people through the services, as a coordinator would."""

import itertools

from organization.models import Channel, OrgUnit, OrgUnitKind, Role
from organization.services import org_unit_create, person_create

_numbers = itertools.count(1)


def make_unit(parent: OrgUnit | None, kind: str, code: str, name: str, region: str = "440100"):
    return org_unit_create(parent=parent, kind=kind, code=code, name=name, region_code=region)


def make_person(
    unit: OrgUnit,
    *roles: str,
    employee_no: str | None = None,
    name: str | None = None,
    channel: str = Channel.AGENT_FORCE,
    password: str = "pass-word-123",
    **extra,
):
    number = next(_numbers)
    return person_create(
        employee_no=employee_no or f"E{number:06d}",
        name=name or f"测试人员{number}",
        mobile=f"139{number:08d}",
        org_unit=unit,
        channel=channel,
        roles=list(roles) or [Role.AGENT],
        password=password,
        **extra,
    )


def build_tree() -> dict[str, OrgUnit]:
    """集团 → 财险/寿险/健康 → 广东 → 广州、深圳 → a county → an outlet, keyed by code."""
    units = {"group": make_unit(None, OrgUnitKind.GROUP, "PICC", "中国人保集团", "110000")}
    for prefix, company in (("P", "人保财险"), ("L", "人保寿险"), ("H", "人保健康")):
        c = make_unit(units["group"], OrgUnitKind.COMPANY, prefix, company, "110000")
        gd = make_unit(c, OrgUnitKind.PROVINCE, f"{prefix}GD", f"{company}广东分公司", "440000")
        units[prefix], units[f"{prefix}GD"] = c, gd
        for city, city_name, region in (("GZ", "广州", "440100"), ("SZ", "深圳", "440300")):
            pref = make_unit(
                gd, OrgUnitKind.PREFECTURE, f"{prefix}{city}", f"{company}{city_name}分公司", region
            )
            county = make_unit(
                pref, OrgUnitKind.COUNTY, f"{prefix}{city}01", f"{city_name}第一支公司", region
            )
            outlet = make_unit(
                county, OrgUnitKind.OUTLET, f"{prefix}{city}0101", f"{city_name}第一营业部", region
            )
            units.update({f"{prefix}{city}": pref, f"{prefix}{city}01": county})
            units[f"{prefix}{city}0101"] = outlet
    return units
