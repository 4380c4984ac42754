"""The reports app's demo step: a statistics API client for the whole group, so that `make run`
can show the API at once. Its token is public (printed with the demo logins)."""

from django.utils.translation import gettext as _

from organization.api_clients import TOKEN_HINT_LENGTH, api_token_hash
from organization.demo import DemoContext, DemoLogin

from .models import StatisticsClient

DEMO_STATISTICS_CLIENT = "demo-statistics"
DEMO_STATISTICS_TOKEN = "cst_demo-statistics-token-not-for-production"


def load_reports_demo(context: DemoContext) -> None:
    group = context.units.get("PICC")
    if group is None:
        return
    if not StatisticsClient.objects.filter(name=DEMO_STATISTICS_CLIENT).exists():
        StatisticsClient.objects.create(
            name=DEMO_STATISTICS_CLIENT,
            description=_("演示用的统计接口客户端，令牌公开，切勿用于生产。"),
            scope=group,
            token_hash=api_token_hash(DEMO_STATISTICS_TOKEN),
            token_hint=DEMO_STATISTICS_TOKEN[:TOKEN_HINT_LENGTH],
        )
    context.logins.append(
        DemoLogin(
            _("统计接口"),
            DEMO_STATISTICS_CLIENT,
            DEMO_STATISTICS_TOKEN,
            _(
                "GET /api/v1/statistics/units/?unit=%(unit)d，"
                "请求头 Authorization: Bearer <令牌>；说明见 /api/v1/statistics/openapi.json。"
            )
            % {"unit": group.pk},
        )
    )
