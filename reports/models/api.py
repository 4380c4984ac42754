"""The statistics system's clients: a bearer token (``organization.api_clients``) that reads the
rollups of one org subtree, ``scope``, and nothing outside it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organization.api_clients import ApiCallBase, ApiClientBase
from organization.models import OrgUnit


class StatisticsClient(ApiClientBase):
    scope = models.ForeignKey(
        OrgUnit,
        verbose_name=_("数据范围"),
        help_text=_("该客户端只能读取这个机构及其下属机构的统计数据。"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(ApiClientBase.Meta):
        verbose_name = _("统计接口客户端")
        verbose_name_plural = _("统计接口客户端")


class StatisticsCall(ApiCallBase):
    """One request to the statistics API, whatever its outcome."""

    client = models.ForeignKey(
        StatisticsClient,
        verbose_name=_("客户端"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
    )

    class Meta(ApiCallBase.Meta):
        verbose_name = _("统计接口调用记录")
        verbose_name_plural = _("统计接口调用记录")
