"""The Wagtail admin of the statistics API's clients and their call log (menu 统计接口).

Who: superusers, and coordinators for the clients whose scope lies in their own subtree (a
branch's coordinator may hand their branch's numbers to a statistics system, never a sibling's).
The rule is the role and the subtree (``organization.scope``), so no model permission is granted.
A client's token is shown once, when it is made or replaced; clients are disabled, not deleted.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from organization import api_client_admin
from organization.demo import DEMO_DATA_HOOK
from organization.scope import MANAGING_ROLES, scope_unit, units_in_scope

from .demo import load_reports_demo
from .models import StatisticsCall, StatisticsClient


class StatisticsClientPermissionPolicy(BasePermissionPolicy):
    actions = {"add", "change", "view"}
    # How a row of the model names its client's scope path.
    scope_path = "scope__path"

    def _root(self, user):
        return scope_unit(user, roles=MANAGING_ROLES)

    def user_has_permission(self, user, action):
        return action in self.actions and self._root(user) is not None

    def users_with_any_permission(self, actions):
        raise NotImplementedError  # asked by no admin view of these models

    def instances_user_has_any_permission_for(self, user, actions):
        root = self._root(user)
        if root is None or not set(actions) & self.actions:
            return self.model.objects.none()
        return self.model.objects.filter(**{f"{self.scope_path}__startswith": root.path})

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and self.instances_user_has_any_permission_for(user, [action])
            .filter(pk=instance.pk)
            .exists()
        )


class StatisticsCallPermissionPolicy(StatisticsClientPermissionPolicy):
    """Read only; refused calls without a client (a wrong token) are the superusers' to read."""

    actions = {"view"}
    scope_path = "client__scope__path"

    def instances_user_has_any_permission_for(self, user, actions):
        if user.is_active and user.is_superuser and set(actions) & self.actions:
            return self.model.objects.all()
        return super().instances_user_has_any_permission_for(user, actions)


class StatisticsClientForm(WagtailAdminModelForm):
    """Offers only the units of the coordinator's own subtree as the scope."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["scope"].queryset = units_in_scope(self.for_user, roles=MANAGING_ROLES)

    class Meta:
        model = StatisticsClient
        fields = ["name", "description", "scope", "is_active"]


class StatisticsClientViewSet(api_client_admin.ApiClientViewSet):
    model = StatisticsClient
    name = "statistics_clients"
    url_prefix = "reports/statistics-clients"
    menu_label = _("统计接口客户端")
    list_display = ["name", "scope", "token_hint", "is_active", "last_used_at", "created_at"]
    form_class = StatisticsClientForm
    token_template_name = "reports/admin/api_token.html"
    api_url_name = "reports:api_units"
    rotate_log_action = "reports.rotate_api_token"


class StatisticsCallViewSet(api_client_admin.ApiCallViewSet):
    model = StatisticsCall
    name = "statistics_calls"
    url_prefix = "reports/statistics-calls"
    menu_label = _("统计接口调用记录")
    # No filter by client: its choices would name the clients of other subtrees.
    list_filter = ["status_code", "at"]


class StatisticsApiViewSetGroup(ModelViewSetGroup):
    items = (StatisticsClientViewSet, StatisticsCallViewSet)
    menu_label = _("统计接口")
    menu_icon = "key"
    menu_order = 330


register_permission_policy(StatisticsClient, StatisticsClientPermissionPolicy(StatisticsClient))
register_permission_policy(StatisticsCall, StatisticsCallPermissionPolicy(StatisticsCall))


@hooks.register("register_admin_viewset")
def register_statistics_api_viewsets():
    return StatisticsApiViewSetGroup()


@hooks.register("register_log_actions")
def register_statistics_log_actions(actions):
    actions.register_action("reports.rotate_api_token", _("更换令牌"), _("已更换接口令牌"))


hooks.register(DEMO_DATA_HOOK, load_reports_demo)
