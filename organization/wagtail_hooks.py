"""Wagtail admin wiring for the org tree and people: permission policies, viewsets, log actions.

Who may do what, in the admin:

- Model permissions come from the role groups (organization.roles): training coordinators have
  add/change/view on units and people, never delete; superusers have everything. Managers, agents
  and lecturers have none, so they see no menu item and every URL refuses them.
- On top of that, a user needs a managed subtree (scope.scope_unit with MANAGING_ROLES), and acts
  only on units and people inside it.
- The root of a coordinator's own subtree is managed from above: they browse it and add units
  and people to it, but do not rename, deactivate or move it.
- Units are never deleted while they have children or anyone in them, and deletion is for
  superusers only (it fixes a unit created by mistake); a unit that closes is deactivated. People
  are never deleted by anyone: they are deactivated, and their records stay.
"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import LogFormatter
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from . import admin_views, forms, import_views
from .models import OrgUnit, Person
from .scope import MANAGING_ROLES, can_manage_unit, people_in_scope, scope_unit, units_in_scope


class OrgUnitPermissionPolicy(ModelPermissionPolicy):
    """Model permissions cut down to the user's managed subtree; "move" counts as "change"."""

    def user_has_permission(self, user, action):
        model_action = "change" if action == "move" else action
        return (
            super().user_has_permission(user, model_action)
            and scope_unit(user, roles=MANAGING_ROLES) is not None
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return OrgUnit.objects.none()
        return units_in_scope(user, roles=MANAGING_ROLES)

    def user_has_permission_for_instance(self, user, action, instance):
        if not (self.user_has_permission(user, action) and can_manage_unit(user, instance)):
            return False
        is_own_root = instance.pk == scope_unit(user, roles=MANAGING_ROLES).pk
        if action in ("change", "move", "delete") and is_own_root and not user.is_superuser:
            return False
        if action == "move":
            return not instance.is_root()
        if action == "delete":
            return instance.numchild == 0 and not self._has_people(instance)
        return True

    @staticmethod
    def _has_people(unit: OrgUnit) -> bool:
        # Listings annotate has_people, so that asking for each row costs no query.
        has_people = getattr(unit, "has_people", None)
        return unit.people.exists() if has_people is None else has_people


class PersonPermissionPolicy(ModelPermissionPolicy):
    """Model permissions cut down to the people of the user's managed subtree; no deleting.

    Accounts of superusers are beyond coordinators, wherever the person sits.
    """

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return (
            super().user_has_permission(user, action)
            and scope_unit(user, roles=MANAGING_ROLES) is not None
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Person.objects.none()
        people = people_in_scope(user, roles=MANAGING_ROLES)
        return people if user.is_superuser else people.exclude(user__is_superuser=True)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and can_manage_unit(user, instance.org_unit)
            and (user.is_superuser or not instance.user.is_superuser)
        )


register_permission_policy(OrgUnit, OrgUnitPermissionPolicy(OrgUnit))
register_permission_policy(Person, PersonPermissionPolicy(Person))


class ScopedModelViewSet(ModelViewSet):
    """No copy, usage or reference-index views: they would show rows without asking the scope."""

    copy_view_enabled = False
    add_to_reference_index = False
    search_backend_name = None
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(usage_url_name=None, **kwargs)

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns() if pattern.name != "usage"]


class OrgUnitViewSet(ScopedModelViewSet):
    model = OrgUnit
    name = "org_units"
    url_prefix = "organization/units"
    icon = "site"
    search_fields = ["name", "code"]
    index_view_class = admin_views.OrgUnitIndexView
    add_view_class = admin_views.OrgUnitCreateView
    edit_view_class = admin_views.OrgUnitEditView
    delete_view_class = admin_views.OrgUnitDeleteView
    history_view_class = admin_views.OrgUnitHistoryView

    def get_form_class(self, for_update=False):
        return forms.OrgUnitEditForm if for_update else forms.OrgUnitCreateForm

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(move_url_name=self.get_url_name("move"), **kwargs)

    @property
    def move_view(self):
        return self.construct_view(
            admin_views.OrgUnitMoveView,
            **self.get_edit_view_kwargs(
                form_class=forms.OrgUnitMoveForm,
                template_name="organization/admin/orgunit_move.html",
            ),
        )

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("move/<int:pk>/", self.move_view, name="move")]


class PersonViewSet(ScopedModelViewSet):
    model = Person
    name = "org_people"
    url_prefix = "organization/people"
    icon = "user"
    search_fields = ["name", "employee_no"]
    filterset_class = admin_views.PersonFilterSet
    index_view_class = admin_views.PersonIndexView
    add_view_class = admin_views.PersonCreateView
    edit_view_class = admin_views.PersonEditView
    delete_view_class = admin_views.PersonDeleteView
    history_view_class = admin_views.PersonHistoryView

    def get_form_class(self, for_update=False):
        return forms.PersonEditForm if for_update else forms.PersonCreateForm

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            deactivate_url_name=self.get_url_name("deactivate"),
            password_url_name=self.get_url_name("password"),
            **kwargs,
        )

    @property
    def deactivate_view(self):
        return self.construct_view(admin_views.PersonDeactivateView)

    @property
    def password_view(self):
        return self.construct_view(
            admin_views.PersonSetPasswordView,
            **self.get_edit_view_kwargs(form_class=forms.PersonPasswordForm),
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("deactivate/<int:pk>/", self.deactivate_view, name="deactivate"),
            path("password/<int:pk>/", self.password_view, name="password"),
        ]


class OrganizationViewSetGroup(ModelViewSetGroup):
    """The "组织与人员" menu. Other admin pages of this app join it through ``submenu_hook``:
    ``@hooks.register("register_organization_menu_item")`` returning a ``MenuItem``."""

    items = (OrgUnitViewSet, PersonViewSet)
    menu_label = _("组织与人员")
    menu_icon = "group"
    submenu_hook = "register_organization_menu_item"


@hooks.register("register_admin_viewset")
def register_organization_viewsets():
    return OrganizationViewSetGroup()


@hooks.register("register_log_actions")
def register_organization_log_actions(actions):
    @actions.register_action("organization.move")
    class MoveUnitFormatter(LogFormatter):
        label = _("移动机构")

        def format_message(self, log_entry):
            return _("从“%(old_parent)s”移到“%(new_parent)s”之下") % {
                "old_parent": log_entry.data.get("old_parent", ""),
                "new_parent": log_entry.data.get("new_parent", ""),
            }

    actions.register_action("organization.deactivate", _("停用人员"), _("已停用"))
    actions.register_action("organization.set_password", _("设置密码"), _("已设置新密码"))


# The people-import wizard (organization.import_views): its URLs, and "导入人员" in the
# "组织与人员" menu, shown to coordinators and superusers only.


@hooks.register("register_admin_urls")
def register_people_import_urls():
    return [
        path(
            "organization/import/",
            include((import_views.urlpatterns, "people_import"), namespace="people_import"),
        )
    ]


@hooks.register("register_organization_menu_item")
def register_people_import_menu_item():
    return import_views.PeopleImportMenuItem(
        _("导入人员"),
        reverse("people_import:index"),
        name="people-import",
        icon_name="upload",
        order=300,
    )
