"""The org tree and the people in it.

The tree is one treebeard materialised-path tree: a unit's ``path`` is the path of its parent plus
four characters, so "everything under 广东分公司" is ``path LIKE '<广东 path>%'``: one indexed
range scan whatever the depth. Later apps copy a person's path onto their own rows for the same
reason.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class OrgUnitKind(models.TextChoices):
    GROUP = "group", _("集团")
    COMPANY = "company", _("子公司")
    PROVINCE = "province", _("省级分公司")
    PREFECTURE = "prefecture", _("地市分公司")
    COUNTY = "county", _("县支公司")
    OUTLET = "outlet", _("营业网点")


# The kinds in the order they nest; a child is always of a later kind than its parent.
KIND_DEPTH = {kind: index for index, kind in enumerate(OrgUnitKind.values)}

region_code_validator = RegexValidator(
    r"^\d{6}$", _("行政区划代码应为 6 位数字（GB/T 2260），例如 440100。")
)
unit_code_validator = RegexValidator(
    r"^[A-Za-z0-9_-]{1,32}$", _("机构代码只能包含字母、数字、下划线和连字符，最长 32 位。")
)
mobile_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("手机号码应为 11 位数字，以 1 开头，例如 13800138000。")
)
employee_no_validator = RegexValidator(
    r"^[A-Za-z0-9]{3,32}$", _("工号只能包含字母和数字，长度 3 到 32 位。")
)


class OrgUnit(MP_Node):
    kind = models.CharField(_("层级"), max_length=16, choices=OrgUnitKind.choices)
    code = models.CharField(
        _("机构代码"), max_length=32, unique=True, validators=[unit_code_validator]
    )
    name = models.CharField(_("名称"), max_length=100)
    region_code = models.CharField(
        _("行政区划代码"), max_length=6, validators=[region_code_validator], blank=True
    )
    # The company a unit belongs to (itself for a company, empty for the group). Kept by the
    # services that create and move units: catalogues, audiences and rollups filter by company on
    # every request, and a column beats walking the path each time.
    company = models.ForeignKey(
        "self",
        verbose_name=_("所属公司"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        editable=False,
    )
    is_active = models.BooleanField(_("启用"), default=True)

    # No node_order_by: a sorted tree renumbers siblings' paths on every insert, and other apps
    # copy paths onto their rows. Paths change only when a unit is moved (see services).

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")

    def __str__(self):
        return self.name

    @property
    def kind_depth(self) -> int:
        return KIND_DEPTH[self.kind]

    def is_within(self, other: "OrgUnit") -> bool:
        """True when this unit is ``other`` or lies under it."""
        return self.path.startswith(other.path)


class Channel(models.TextChoices):
    AGENT_FORCE = "agent_force", _("个人代理")
    COUNTER = "counter", _("柜面")
    EMPLOYEE = "employee", _("员工")
    INTERACTION = "interaction", _("互动部")


class Role(models.TextChoices):
    """A role is a Django group of the same name, so Wagtail admin permissions hang off it."""

    AGENT = "agent", _("业务人员")
    LECTURER = "lecturer", _("讲师")
    MANAGER = "manager", _("机构负责人")
    COORDINATOR = "coordinator", _("培训管理员")


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_role(self, role: str):
        return self.filter(user__groups__name=role)


class Person(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="person"
    )
    employee_no = models.CharField(
        _("工号"), max_length=32, unique=True, validators=[employee_no_validator]
    )
    name = models.CharField(_("姓名"), max_length=50)
    mobile = models.CharField(_("手机号码"), max_length=11, validators=[mobile_validator])
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所属机构"), on_delete=models.PROTECT, related_name="people"
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    hire_date = models.DateField(_("入职日期"), null=True, blank=True)
    is_active = models.BooleanField(_("在职"), default=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["employee_no"]

    def __str__(self):
        return f"{self.name}（{self.employee_no}）"

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(group.name for group in self.user.groups.all())

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in Role.values if role in self.roles]

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def company(self) -> OrgUnit | None:
        return self.org_unit.company


def people_import_upload_to(instance: "PeopleImport", filename: str) -> str:
    """An unguessable name: the file holds people's mobile numbers, and media may be public."""
    suffix = Path(filename).suffix.lower()
    return f"people_imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class PeopleImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("待确认")
    APPLIED = "applied", _("已导入")
    FAILED = "failed", _("有错误，未导入")


class PeopleImport(models.Model):
    """One uploaded people spreadsheet and what became of it: the audit trail of bulk imports.

    The file is kept, so the confirm step re-reads and re-checks exactly what was previewed, and so
    anyone can later see which sheet changed whom.
    """

    file = models.FileField(_("文件"), upload_to=people_import_upload_to, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="people_imports",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=PeopleImportStatus.choices,
        default=PeopleImportStatus.PREVIEWED,
    )
    row_count = models.PositiveIntegerField(_("数据行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增人数"), default=0)
    updated_count = models.PositiveIntegerField(_("更新人数"), default=0)
    unchanged_count = models.PositiveIntegerField(_("无变化人数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    # The first errors and planned changes, as shown on the preview page: lists of small dicts
    # (see organization.people_import). Capped, so a bad 10,000-row sheet stays a small row.
    errors = models.JSONField(_("错误"), default=list, blank=True)
    changes = models.JSONField(_("变更"), default=list, blank=True)

    class Meta:
        verbose_name = _("人员导入")
        verbose_name_plural = _("人员导入")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.original_name}（{self.created_at:%Y-%m-%d %H:%M}）"
