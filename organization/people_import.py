"""Bulk import of people from a spreadsheet: read the file, check every row into a plan, apply it.

The pipeline, one function per step (reading files and reporting errors: ``organization.tabular``,
shared with the question-bank import):

``read_table(file, name=...)``
    Opens an .xlsx (openpyxl in read-only mode) or a .csv (UTF-8 with or without BOM, or GBK as
    Chinese Excel saves it), checks the header row and returns every non-blank data row.
``plan_import(rows=..., importer=...)``
    Checks every row and sorts it into people to create, to update and unchanged, collecting every
    error with its row and column. What it needs from the database is loaded in a few bulk queries
    (units by code, people and accounts by employee number), never one query per row.
``apply_plan(plan=...)``
    Writes a plan without errors in one transaction: new people in bulk, changed people through
    ``person_update`` / ``person_deactivate`` (so ``person_moved`` fires and deactivation keeps
    history exactly as it does everywhere else).

``people_import_start`` (store the file as a ``PeopleImport`` record, the audit trail, then run it)
and ``people_import_run`` (read, plan and, when asked, apply a stored file) wrap the three steps.
The admin wizard (upload: start without applying; confirm: run again, applying), the
``import_people`` command and the benchmark (start, applying) all go through these two.

Rows are checked with the models' own field validation (``clean_fields``: the validators in
``organization.models`` plus Django's length and e-mail checks), so an import accepts exactly what
``person_create`` / ``person_update`` accept; only uniqueness and the org unit (a foreign key) are
checked in bulk instead of row by row.

The file format is Chinese whatever the interface language: headers and the labels of channels,
roles and status are matched in Chinese, after trimming and NFKC normalisation (full-width letters,
digits and punctuation become half-width).
"""

import io
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from . import scope, tabular
from .models import Channel, OrgUnit, PeopleImport, PeopleImportStatus, Person, Role
from .services import person_deactivate, person_update
from .signals import people_created
from .tabular import Column, RowError, SheetRow, check_spreadsheet_file, normalize

User = get_user_model()

# Rows per ``IN (...)`` lookup and per INSERT: under SQLite's 999-parameter limit.
CHUNK = 900
# How many errors and planned changes a PeopleImport record keeps for its preview page.
STORED_LIMIT = 500


COLUMNS = (
    Column(
        "工号",
        "employee_no",
        True,
        True,
        gettext_lazy("字母和数字，3 到 32 位，也是登录账号。文件中已有的工号会更新该人员。"),
        "A0001234",
    ),
    Column("姓名", "name", True, True, gettext_lazy("人员的真实姓名。"), "张三"),
    Column(
        "手机号码",
        "mobile",
        True,
        True,
        gettext_lazy("11 位手机号码，以 1 开头。"),
        "13800138000",
    ),
    Column(
        "机构代码",
        "unit_code",
        True,
        True,
        gettext_lazy("人员所属机构的代码，须在您的管理范围内。"),
        "",
    ),
    Column(
        "渠道",
        "channel",
        True,
        True,
        gettext_lazy("填写以下之一：%(choices)s。"),
        "个人代理",
    ),
    Column(
        "角色",
        "roles",
        True,
        True,
        gettext_lazy("可填多个，用“、”“,”或“；”分隔。可选：%(choices)s。"),
        "业务人员",
    ),
    Column(
        "入职日期",
        "hire_date",
        True,
        False,
        gettext_lazy(
            "格式 YYYY-MM-DD（如 2024-03-01），也可以是 Excel 日期。可留空，"
            "留空时已有人员的入职日期不变。"
        ),
        date(2024, 3, 1),
    ),
    Column(
        "邮箱",
        "email",
        False,
        False,
        gettext_lazy("用于找回密码。可留空，留空时已有人员的邮箱不变。"),
        "zhangsan@example.com",
    ),
    Column(
        "状态",
        "status",
        False,
        False,
        gettext_lazy(
            "“在职”或“离职”。新人员留空即为在职，已有人员留空则状态不变。"
            "离职的人员账号停用，学习和认证记录全部保留。"
        ),
        "在职",
    ),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
ACTIVE, INACTIVE = "在职", "离职"
ROLE_SEPARATORS = re.compile(r"[、,;]")  # After NFKC, so "，" and "；" are covered too.
DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
# The model fields a row's values go into (checked with the field's own validation), each with
# the column its value comes from.
FIELD_CHECKS = (
    (Person.employee_no, "employee_no"),
    (User.username, "employee_no"),
    (Person.name, "name"),
    (User.first_name, "name"),
    (Person.mobile, "mobile"),
    (Person.channel, "channel"),
    (Person.hire_date, "hire_date"),
    (User.email, "email"),
)


def _chinese_labels(choices: type) -> dict[str, str]:
    """Label → value, matched in Chinese whatever language the interface is in."""
    with translation.override("zh-hans"):
        return {normalize(label): value for value, label in choices.choices}


def _choices_text(choices: type) -> str:
    with translation.override("zh-hans"):
        return "、".join(str(label) for label in choices.labels)


def can_import_people(user) -> bool:
    """Coordinators (for their subtree) and superusers may import people."""
    return scope.scope_unit(user, roles=scope.MANAGING_ROLES) is not None


# Step 1: read the file -------------------------------------------------------------------------


def check_file(*, name: str, size: int) -> None:
    """Refuse a file by its name and size, before anything is read or stored."""
    check_spreadsheet_file(name=name, size=size, limit=settings.PEOPLE_IMPORT_MAX_BYTES)


def read_table(file: IO[bytes], *, name: str) -> list[SheetRow]:
    """Every non-blank data row of ``file``, keyed by column; ValidationError for a bad file."""
    return tabular.read_table(
        file,
        name=name,
        columns=COLUMNS,
        no_header_message=_("文件里没有内容：第一行应是表头（工号、姓名……），其后是人员数据。"),
        no_rows_message=_("文件只有表头，没有人员数据（表头在第 %(row)s 行）。"),
    )


# # Step 2: check every row into a plan -----------------------------------------------------------


@dataclass
class PlannedPerson:
    row: int
    employee_no: str
    name: str
    mobile: str
    org_unit: OrgUnit
    channel: str
    roles: list[str]
    hire_date: date | None  # None: not given (kept on an update).
    email: str | None  # None: not given (kept on an update, empty on a new person).
    is_active: bool | None  # None: not given (kept on an update, active on a new person).
    person_id: int | None = None  # The existing person a row updates, if any...
    person: Person | None = None  # ...loaded once the row is known to change them.
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # column, old, new

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "action": "update" if self.person_id else "create",
            "employee_no": self.employee_no,
            "name": self.name,
            "unit": _unit_text(self.org_unit),
            "roles": _roles_text(self.roles),
            "changes": [list(change) for change in self.changes],
        }


@dataclass
class ImportPlan:
    row_count: int = 0
    creates: list[PlannedPerson] = field(default_factory=list)
    updates: list[PlannedPerson] = field(default_factory=list)
    unchanged_count: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass
class _ParsedRow:
    number: int
    values: dict[str, object] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)  # Fields with an error reported.

    def fail(self, errors: list[RowError], field_name: str, message: str) -> None:
        errors.append(RowError(self.number, COLUMN_BY_FIELD[field_name].header, message))
        self.failed.add(field_name)


@dataclass(frozen=True)
class _Vocabulary:
    """What every row is checked against, looked up once per import rather than per row."""

    channels: dict[str, str]  # Chinese label → value
    roles: dict[str, str]  # Chinese label → value
    role_order: tuple[str, ...]
    required: str

    @classmethod
    def load(cls) -> "_Vocabulary":
        return cls(
            channels=_chinese_labels(Channel),
            roles=_chinese_labels(Role),
            role_order=tuple(Role.values),
            required=_("此项必须填写。"),
        )


# What plan_import reads of an existing person: plain values, so that the people a file leaves
# unchanged (on a re-import, all of them) never become model instances.
CURRENT_FIELDS = (
    "pk",
    "employee_no",
    "name",
    "mobile",
    "org_unit_id",
    "org_unit__path",
    "org_unit__name",
    "org_unit__code",
    "channel",
    "hire_date",
    "is_active",
    "user_id",
    "user__email",
)


def plan_import(*, rows: list[SheetRow], importer) -> ImportPlan:
    """Check every row as a change by ``importer``; nothing is written."""
    plan = ImportPlan(row_count=len(rows))
    if not can_import_people(importer):
        plan.errors.append(
            RowError(
                None,
                "",
                _("您没有导入人员的权限：只有培训管理员可以导入本机构及下级机构的人员。"),
            )
        )
        return plan
    vocabulary = _Vocabulary.load()
    parsed = [_parse_row(row, vocabulary, plan.errors) for row in rows]
    _check_duplicates(parsed, plan.errors)

    numbers = [row.values["employee_no"] for row in parsed if "employee_no" not in row.failed]
    codes = {row.values["unit_code"] for row in parsed if "unit_code" not in row.failed}
    units = {unit.code: unit for unit in _in_chunks(OrgUnit.objects.all(), "code", codes)}
    people = {
        current["employee_no"]: current
        for current in _in_chunks(
            Person.objects.order_by().values(*CURRENT_FIELDS), "employee_no", numbers
        )
    }
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role in _in_chunks(
        User.groups.through.objects.filter(group__name__in=Role.values).values_list(
            "user_id", "group__name"
        ),
        "user_id",
        [current["user_id"] for current in people.values()],
    ):
        roles[user_id].add(role)
    taken = set(
        _in_chunks(
            User.objects.values_list("username", flat=True),
            "username",
            [number for number in numbers if number not in people],
        )
    )

    for row in parsed:
        unit = _check_unit(row, units, importer, plan.errors)
        current = _check_person(row, people, taken, importer, plan.errors)
        if row.failed:
            continue
        planned = PlannedPerson(row=row.number, org_unit=unit, **_values(row))
        if current is None:
            plan.creates.append(planned)
            continue
        planned.person_id = current["pk"]
        planned.changes = _changes(current, roles[current["user_id"]], planned, vocabulary)
        if planned.changes:
            plan.updates.append(planned)
        else:
            plan.unchanged_count += 1
    if not plan.errors:
        _load_people(plan.updates)
    order = {column.header: index for index, column in enumerate(COLUMNS)}
    plan.errors.sort(key=lambda error: (error.row or 0, order.get(error.column, -1)))
    return plan


def _parse_row(row: SheetRow, vocabulary: _Vocabulary, errors: list[RowError]) -> _ParsedRow:
    """A row's cells as Python values, each cell checked on its own (no database)."""
    parsed = _ParsedRow(number=row.number)
    values = parsed.values
    required = vocabulary.required
    for column in COLUMNS:
        raw = row.cells.get(column.field)
        text = normalize(raw)
        if column.value_required and not text:
            parsed.fail(errors, column.field, required)
            continue
        if column.field == "channel":
            if text in vocabulary.channels:
                values["channel"] = vocabulary.channels[text]
            else:
                parsed.fail(
                    errors,
                    "channel",
                    _("“%(value)s”不是有效的渠道，请填写：%(choices)s。")
                    % {"value": text, "choices": "、".join(vocabulary.channels)},
                )
        elif column.field == "roles":
            labels = [part.strip() for part in ROLE_SEPARATORS.split(text) if part.strip()]
            unknown = [label for label in labels if label not in vocabulary.roles]
            if unknown:
                parsed.fail(
                    errors,
                    "roles",
                    _("“%(value)s”不是有效的角色，可填写：%(choices)s。")
                    % {"value": "、".join(unknown), "choices": "、".join(vocabulary.roles)},
                )
            elif not labels:
                parsed.fail(errors, "roles", required)
            else:
                chosen = {vocabulary.roles[label] for label in labels}
                values["roles"] = [role for role in vocabulary.role_order if role in chosen]
        elif column.field == "hire_date":
            try:
                values["hire_date"] = _parse_date(raw)
            except ValueError:
                parsed.fail(
                    errors,
                    "hire_date",
                    _("“%(value)s”不是有效的日期，请写成 YYYY-MM-DD，例如 2024-03-01。")
                    % {"value": text},
                )
        elif column.field == "status":
            if text and text not in (ACTIVE, INACTIVE):
                parsed.fail(
                    errors,
                    "status",
                    _("“%(value)s”不是有效的状态，只能填写“在职”或“离职”，或者留空。")
                    % {"value": text},
                )
            else:
                values["is_active"] = {ACTIVE: True, INACTIVE: False}.get(text)
        elif column.field == "email":
            values["email"] = text or None
        else:
            values[column.field] = text
    _check_with_models(parsed, errors)
    return parsed


def _parse_date(value: object) -> date | None:
    """A hire date from a cell: None when blank; ValueError when it is not a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel serial day number, from a date cell that lost its date format.
        if not 1 <= value < 2958466:
            raise ValueError(value)
        return from_excel(value).date()
    text = normalize(value)
    if not text:
        return None
    match = DATE_TEXT.match(text)
    if match is None:
        raise ValueError(text)
    return date(*(int(part) for part in match.groups()))


def _check_with_models(parsed: _ParsedRow, errors: list[RowError]) -> None:
    """Run the field checks ``person_create`` gets from ``full_clean`` on the row's own values.

    Each model field's own ``clean`` (what ``clean_fields`` calls), without building model
    instances: ten thousand rows would spend seconds in ``Model.__init__``. Uniqueness and the org
    unit need the database, so ``plan_import`` checks those in bulk.
    """
    values, failed = parsed.values, parsed.failed
    for model_field, column_field in FIELD_CHECKS:
        value = values.get(column_field)
        if column_field in failed or value is None:
            continue
        model_field = model_field.field
        if model_field.blank and value in model_field.empty_values:
            continue
        try:
            model_field.clean(value, None)
        except ValidationError as error:
            parsed.fail(errors, column_field, "".join(error.messages))
    if values.get("email") and "email" not in failed:
        # As User.clean() does in person_create's full_clean.
        values["email"] = User.objects.normalize_email(values["email"])


def _check_duplicates(parsed: list[_ParsedRow], errors: list[RowError]) -> None:
    first_row: dict[str, int] = {}
    for row in parsed:
        if "employee_no" in row.failed:
            continue
        number = row.values["employee_no"]
        if number in first_row:
            row.fail(
                errors,
                "employee_no",
                _("工号 %(no)s 与第 %(row)s 行重复，同一工号在文件中只能出现一次。")
                % {"no": number, "row": first_row[number]},
            )
        else:
            first_row[number] = row.number


def _check_unit(
    row: _ParsedRow, units: dict[str, OrgUnit], importer, errors: list[RowError]
) -> OrgUnit | None:
    if "unit_code" in row.failed:
        return None
    code = row.values["unit_code"]
    unit = units.get(code)
    if unit is None:
        row.fail(errors, "unit_code", _("机构代码“%(code)s”不存在。") % {"code": code})
    elif not scope.can_manage_unit(importer, unit):
        row.fail(errors, "unit_code", _("机构“%(code)s”不在您的管理范围内。") % {"code": code})
    elif not unit.is_active:
        row.fail(
            errors,
            "unit_code",
            _("机构“%(name)s”（%(code)s）已停用，不能向其中导入人员。")
            % {"name": unit.name, "code": code},
        )
    else:
        return unit
    return None


def _check_person(
    row: _ParsedRow,
    people: dict[str, dict],
    taken: set[str],
    importer,
    errors: list[RowError],
) -> dict | None:
    """The existing person the row updates, if any; refuses one outside the importer's scope."""
    if "employee_no" in row.failed:
        return None
    number = row.values["employee_no"]
    current = people.get(number)
    if current is not None and not scope.path_in_scope(
        importer, current["org_unit__path"], roles=scope.MANAGING_ROLES
    ):
        row.fail(
            errors,
            "employee_no",
            _("工号 %(no)s 是您管理范围以外的人员，不能在这里修改。") % {"no": number},
        )
        return None
    if current is None and number in taken:
        # The same words person_create uses: an account that is not a person holds the name.
        row.fail(errors, "employee_no", _("工号 %(no)s 已被使用。") % {"no": number})
    return current


def _values(row: _ParsedRow) -> dict:
    values = row.values
    return {
        "employee_no": values["employee_no"],
        "name": values["name"],
        "mobile": values["mobile"],
        "channel": values["channel"],
        "roles": values["roles"],
        "hire_date": values.get("hire_date"),
        "email": values.get("email"),
        "is_active": values.get("is_active"),
    }


def _changes(
    current: dict, current_roles: set[str], planned: PlannedPerson, vocabulary: _Vocabulary
) -> list[tuple[str, str, str]]:
    """What the row changes on the person (``current``: their CURRENT_FIELDS), as (column, old,
    new) texts; empty when nothing."""
    changes = []
    if current["name"] != planned.name:
        changes.append(("姓名", current["name"], planned.name))
    if current["mobile"] != planned.mobile:
        changes.append(("手机号码", current["mobile"], planned.mobile))
    if current["org_unit_id"] != planned.org_unit.pk:
        old = f"{current['org_unit__name']}（{current['org_unit__code']}）"
        changes.append(("机构代码", old, _unit_text(planned.org_unit)))
    if current["channel"] != planned.channel:
        changes.append(
            ("渠道", str(Channel(current["channel"]).label), str(Channel(planned.channel).label))
        )
    roles = [role for role in vocabulary.role_order if role in current_roles]
    if roles != planned.roles:
        changes.append(("角色", _roles_text(roles), _roles_text(planned.roles)))
    if planned.hire_date is not None and planned.hire_date != current["hire_date"]:
        old = current["hire_date"].isoformat() if current["hire_date"] else ""
        changes.append(("入职日期", old, planned.hire_date.isoformat()))
    if planned.email is not None and planned.email != current["user__email"]:
        changes.append(("邮箱", current["user__email"], planned.email))
    if planned.is_active is not None and planned.is_active != current["is_active"]:
        changes.append(
            ("状态", _status_text(current["is_active"]), _status_text(planned.is_active))
        )
    return changes


def _load_people(updates: list[PlannedPerson]) -> None:
    """The people the plan changes, as the services take them."""
    by_pk = {planned.person_id: planned for planned in updates}
    for person in _in_chunks(Person.objects.select_related("org_unit", "user"), "pk", by_pk):
        by_pk[person.pk].person = person


def _unit_text(unit: OrgUnit) -> str:
    return f"{unit.name}（{unit.code}）"


def _roles_text(roles: list[str]) -> str:
    return "、".join(str(Role(role).label) for role in roles)


def _status_text(is_active: bool) -> str:
    return _("在职") if is_active else _("离职")


def _in_chunks(queryset, field_name: str, values: Iterable) -> Iterator:
    """``queryset.filter(<field_name>__in=values)``, a chunk of values per query."""
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield from queryset.filter(**{f"{field_name}__in": values[start : start + CHUNK]})


# Step 3: apply a plan --------------------------------------------------------------------------


@transaction.atomic
def apply_plan(*, plan: ImportPlan) -> None:
    """Write every create and update of ``plan``, or nothing."""
    if plan.errors:
        raise ValidationError(_("文件中有错误，没有做任何修改。"))
    _create_people(plan.creates)
    for planned in plan.updates:
        _update_person(planned)


def _create_people(planned: list[PlannedPerson]) -> None:
    """``person_create`` for many rows at once: the same rows, in a few INSERT statements.

    Every row has had the validation ``person_create`` runs (``plan_import``); as there, a new
    account gets an unusable password, so nobody can log in until they reset it by e-mail or a
    coordinator sets one. ``people_created`` is sent once for the whole batch, so that later apps
    (mandatory assignments) reach the new people in a few queries.
    """
    if not planned:
        return
    users = []
    for item in planned:
        user = User(
            username=item.employee_no,
            email=item.email or "",
            first_name=item.name,
            is_active=item.is_active is not False,
        )
        # What set_unusable_password() stores, drawn in one go: it draws each of the 40 random
        # characters with its own system call, seconds for ten thousand accounts.
        user.password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
        users.append(user)
    User.objects.bulk_create(users, batch_size=CHUNK)
    people = Person.objects.bulk_create(
        [
            Person(
                user=user,
                employee_no=item.employee_no,
                name=item.name,
                mobile=item.mobile,
                org_unit=item.org_unit,
                channel=item.channel,
                hire_date=item.hire_date,
                is_active=item.is_active is not False,
            )
            for item, user in zip(planned, users, strict=True)
        ],
        batch_size=CHUNK,
    )
    groups = dict(Group.objects.filter(name__in=Role.values).values_list("name", "pk"))
    membership = User.groups.through
    membership.objects.bulk_create(
        [
            membership(user_id=user.pk, group_id=groups[role])
            for item, user in zip(planned, users, strict=True)
            for role in item.roles
        ],
        batch_size=CHUNK,
    )
    people_created.send(sender=Person, people=people)


def _update_person(planned: PlannedPerson) -> None:
    """Change one person through the services: a move fires ``person_moved``, and 离职 is
    ``person_deactivate`` (the account stops, the person and their history stay)."""
    person = planned.person
    target_active = person.is_active if planned.is_active is None else planned.is_active
    deactivate = person.is_active and not target_active
    if any(column != "状态" for column, _old, _new in planned.changes) or (
        target_active and not person.is_active
    ):
        person_update(
            person=person,
            name=planned.name,
            mobile=planned.mobile,
            org_unit=planned.org_unit,
            channel=planned.channel,
            roles=planned.roles,
            hire_date=planned.hire_date if planned.hire_date is not None else person.hire_date,
            email=planned.email,
            is_active=person.is_active if deactivate else target_active,
        )
    if deactivate:
        person_deactivate(person=person)


# The import record: what the admin wizard and the command call ---------------------------------


def people_import_create(*, file: File, importer) -> PeopleImport:
    """Store an uploaded sheet as a new import, before it is checked."""
    name = Path(file.name).name
    check_file(name=name, size=file.size)
    return PeopleImport.objects.create(file=file, original_name=name, uploaded_by=importer)


def people_import_start(*, file: File, importer, apply: bool) -> tuple[PeopleImport, ImportPlan]:
    """Store and check an uploaded sheet; with ``apply``, also write it if it has no errors."""
    record = people_import_create(file=file, importer=importer)
    plan = people_import_run(record=record, importer=importer, apply=apply)
    record.refresh_from_db()
    return record, plan


def people_import_run(*, record: PeopleImport, importer, apply: bool) -> ImportPlan:
    """Read and check the stored file again and record the outcome; with ``apply``, also write
    it, all rows or none. Data may have changed since the preview, so nothing is carried over."""
    with transaction.atomic():
        record = PeopleImport.objects.select_for_update().get(pk=record.pk)
        if apply and record.status != PeopleImportStatus.PREVIEWED:
            raise ValidationError(_("这次导入已经确认过或有错误，不能再次确认。请重新上传文件。"))
        plan = _plan_file(record, importer)
        applied = apply and not plan.errors
        if applied:
            apply_plan(plan=plan)
        _record_outcome(record, plan, applied=applied)
    return plan


def imports_for(user):
    """The imports ``user`` may look at: their own; a superuser's, everyone's."""
    imports = PeopleImport.objects.select_related("uploaded_by")
    return imports if user.is_superuser else imports.filter(uploaded_by=user)


def _plan_file(record: PeopleImport, importer) -> ImportPlan:
    try:
        with record.file.open("rb") as handle:
            rows = read_table(handle, name=record.original_name)
    except ValidationError as error:
        return ImportPlan(errors=[RowError(None, "", message) for message in error.messages])
    return plan_import(rows=rows, importer=importer)


def _record_outcome(record: PeopleImport, plan: ImportPlan, *, applied: bool) -> None:
    record.row_count = plan.row_count
    record.created_count = len(plan.creates)
    record.updated_count = len(plan.updates)
    record.unchanged_count = plan.unchanged_count
    record.error_count = len(plan.errors)
    record.errors = [error.as_dict() for error in plan.errors[:STORED_LIMIT]]
    if plan.errors:
        record.status = PeopleImportStatus.FAILED
        record.changes = []
    else:
        changed = sorted(plan.creates + plan.updates, key=lambda item: item.row)
        record.changes = [item.as_dict() for item in changed[:STORED_LIMIT]]
        record.status = PeopleImportStatus.APPLIED if applied else PeopleImportStatus.PREVIEWED
        record.applied_at = timezone.now() if applied else None
    record.save()


# The template ----------------------------------------------------------------------------------


def build_template(*, importer) -> bytes:
    """The .xlsx to fill in: the header row and one example row, then a sheet of instructions."""
    unit = scope.scope_unit(importer, roles=scope.MANAGING_ROLES)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("人员名单")
    sheet.append([column.header for column in COLUMNS])
    examples = {"unit_code": unit.code if unit else ""}
    sheet.append([examples.get(column.field, column.example) for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 24 if column.field == "roles" else 16
        if column.field in ("employee_no", "mobile", "unit_code"):
            # Text, so that Excel keeps leading zeros and long numbers as typed.
            sheet.column_dimensions[letter].number_format = "@"
        elif column.field == "hire_date":
            sheet.cell(row=2, column=index).number_format = "yyyy-mm-dd"
        if column.field in ("channel", "status"):
            choices = _choices_text(Channel).split("、") if column.field == "channel" else None
            options = ",".join(choices or [ACTIVE, INACTIVE])
            validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
            validation.add(f"{letter}2:{letter}10001")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("列名"), _("是否必填"), _("说明")])
    choices = {"channel": _choices_text(Channel), "roles": _choices_text(Role)}
    for column in COLUMNS:
        need = _("必填") if column.value_required else _("选填")
        notes.append(
            [column.header, need, str(column.note) % {"choices": choices.get(column.field)}]
        )
    notes.append([])
    for line in (
        _("第一行是表头，请勿修改；第二行是示例，导入前请改成真实人员或删除。"),
        _("同一工号在文件中只能出现一次；文件中任何一行有错误时，整个文件都不会导入。"),
        _("重复导入同一文件不会产生变化；工号已存在的人员按文件内容更新，从不删除人员。"),
        _("也可以另存为 CSV（UTF-8 或 GBK 编码）后导入，表头相同。"),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
