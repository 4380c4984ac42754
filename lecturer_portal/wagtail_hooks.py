"""Admin wiring: the "讲师与培训" menu (sessions, plans, lecturer profiles, corps) for training
coordinators, each limited to their subtree; log actions; the home panel; the demo step.

Permission policies: coordinators hold add/change/view on the four models (``permissions.py``,
granted after every migrate) and delete on plans only: a corps or a lecturer leaves by being
deactivated, a session by being cancelled, so the records that point at them stay. On top, every
action needs a managed subtree (``organization.scope``) and acts on rows whose org unit lies in
it: a session's host unit, a plan's unit, a corps' owning unit, a lecturer's own unit. A session
can be changed only while it is a draft or published.
"""

from django.db.models import QuerySet
from django.forms import CheckboxSelectMultiple
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from organization.admin_views import ScopedHistoryView
from organization.demo import DEMO_DATA_HOOK
from organization.models import OrgUnit, Role
from organization.scope import MANAGING_ROLES, can_manage_unit, scope_unit
from organization.wagtail_hooks import ScopedModelViewSet

from . import admin_views, selectors, services
from .demo import load_lecturer_portal
from .forms import CorpsForm, LecturerProfileForm, PlanForm, SessionForm
from .models import LecturerCorps, LecturerProfile, TrainingPlan, TrainingSession


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, for the rows whose org unit lies in the user's managed subtree."""

    actions = ("add", "change", "view")

    def scoped(self, user) -> QuerySet:
        raise NotImplementedError

    def unit_of(self, instance) -> OrgUnit:
        raise NotImplementedError

    def user_has_permission(self, user, action):
        return (
            action in self.actions
            and super().user_has_permission(user, action)
            and scope_unit(user, roles=MANAGING_ROLES) is not None
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return self.scoped(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and can_manage_unit(
            user, self.unit_of(instance)
        )


class CorpsPermissionPolicy(ScopedPermissionPolicy):
    def scoped(self, user):
        return selectors.corps_in_scope(user)

    def unit_of(self, instance):
        return instance.owning_unit


class LecturerPermissionPolicy(ScopedPermissionPolicy):
    def scoped(self, user):
        return selectors.lecturers_in_scope(user)

    def unit_of(self, instance):
        return instance.person.org_unit


class PlanPermissionPolicy(ScopedPermissionPolicy):
    actions = ("add", "change", "view", "delete")

    def scoped(self, user):
        return selectors.plans_in_scope(user)

    def unit_of(self, instance):
        return instance.org_unit


class SessionPermissionPolicy(ScopedPermissionPolicy):
    def scoped(self, user):
        return selectors.sessions_in_scope(user)

    def unit_of(self, instance):
        return instance.host_unit

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "change" and not instance.is_open:
            return False
        return super().user_has_permission_for_instance(user, action, instance)


register_permission_policy(LecturerCorps, CorpsPermissionPolicy(LecturerCorps))
register_permission_policy(LecturerProfile, LecturerPermissionPolicy(LecturerProfile))
register_permission_policy(TrainingPlan, PlanPermissionPolicy(TrainingPlan))
register_permission_policy(TrainingSession, SessionPermissionPolicy(TrainingSession))


class PortalViewSet(ScopedModelViewSet):
    history_view_class = ScopedHistoryView
    inspect_view_enabled = False


class SessionViewSet(PortalViewSet):
    model = TrainingSession
    name = "lecturer_sessions"
    url_prefix = "lecturer-portal/sessions"
    icon = "date"
    menu_order = 100
    inspect_view_enabled = True
    search_fields = ["title", "topic"]
    list_filter = ["status", "kind"]
    index_view_class = admin_views.SessionIndexView
    add_view_class = admin_views.SessionCreateView
    edit_view_class = admin_views.SessionEditView
    inspect_view_class = admin_views.SessionInspectView
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("title"),
                    FieldRowPanel([FieldPanel("kind"), FieldPanel("topic")]),
                    FieldPanel("product_company"),
                    FieldPanel("description"),
                    FieldPanel("plan_item"),
                ],
                heading=gettext_lazy("培训内容"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("host_unit"),
                    FieldPanel("audience_root"),
                    FieldPanel("audience_companies", widget=CheckboxSelectMultiple()),
                    FieldPanel("channels"),
                    FieldRowPanel([FieldPanel("capacity"), FieldPanel("assistant_slots")]),
                ],
                heading=gettext_lazy("主办与受众"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
                    FieldPanel("registration_deadline"),
                    FieldPanel("allow_walk_ins"),
                    FieldPanel("place"),
                    FieldPanel("online_url"),
                ],
                heading=gettext_lazy("时间与地点"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("course"),
                    FieldPanel("assessment_quiz"),
                    FieldPanel("documents"),
                    FieldPanel("media"),
                ],
                heading=gettext_lazy("课程与资料"),
            ),
        ],
        base_form_class=SessionForm,
    )

    def _session_view(self, view_class, **kwargs):
        return self.construct_view(
            view_class, inspect_url_name=self.get_url_name("inspect"), **kwargs
        )

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            action_url_names={
                name: self.get_url_name(name) for name in ("publish", "start", "complete", "cancel")
            },
            assign_url_name=self.get_url_name("assign"),
            withdraw_url_name=self.get_url_name("withdraw"),
            **kwargs,
        )

    def get_urlpatterns(self):
        action = admin_views.SessionActionView
        actions = [
            (
                "publish",
                services.session_publish,
                "lecturer_portal.publish",
                gettext_lazy("已发布“%(title)s”，并通知了讲师和受众。"),
            ),
            (
                "start",
                services.session_start,
                "lecturer_portal.start",
                gettext_lazy("“%(title)s”已开始。"),
            ),
            (
                "complete",
                services.session_complete,
                "lecturer_portal.complete",
                gettext_lazy("“%(title)s”已结束。"),
            ),
        ]
        return [
            *super().get_urlpatterns(),
            *(
                path(
                    f"{name}/<int:pk>/",
                    self._session_view(
                        action, service=service, log_action=log_action, success_message=message
                    ),
                    name=name,
                )
                for name, service, log_action, message in actions
            ),
            path(
                "cancel/<int:pk>/",
                self._session_view(
                    admin_views.SessionCancelView, index_url_name=self.get_url_name("index")
                ),
                name="cancel",
            ),
            path(
                "assign/<int:pk>/",
                self._session_view(
                    admin_views.SessionAssignView, index_url_name=self.get_url_name("index")
                ),
                name="assign",
            ),
            path(
                "withdraw/<int:pk>/",
                self._session_view(admin_views.AssignmentWithdrawView),
                name="withdraw",
            ),
        ]


class PlanViewSet(PortalViewSet):
    model = TrainingPlan
    name = "lecturer_plans"
    url_prefix = "lecturer-portal/plans"
    icon = "list-ul"
    menu_order = 200
    inspect_view_enabled = True
    search_fields = ["title"]
    list_filter = ["year", "quarter"]
    index_view_class = admin_views.PlanIndexView
    add_view_class = admin_views.PlanCreateView
    edit_view_class = admin_views.PlanEditView
    delete_view_class = admin_views.PlanDeleteView
    inspect_view_class = admin_views.PlanInspectView
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldRowPanel([FieldPanel("org_unit"), FieldPanel("year"), FieldPanel("quarter")]),
            FieldPanel("notes"),
            InlinePanel("items", heading=gettext_lazy("计划项目"), min_num=1),
        ],
        base_form_class=PlanForm,
    )


class LecturerViewSet(PortalViewSet):
    model = LecturerProfile
    name = "lecturer_profiles"
    url_prefix = "lecturer-portal/lecturers"
    icon = "user"
    menu_order = 300
    search_fields = None
    list_filter = ["level", "employment", "is_active"]
    index_view_class = admin_views.LecturerIndexView
    add_view_class = admin_views.LecturerCreateView
    edit_view_class = admin_views.LecturerEditView
    edit_handler = ObjectList(
        [
            FieldPanel("person"),
            FieldRowPanel([FieldPanel("level"), FieldPanel("employment")]),
            FieldPanel("corps", widget=CheckboxSelectMultiple()),
            FieldPanel("photo"),
            FieldPanel("bio"),
            FieldPanel("is_active"),
            InlinePanel("qualifications", heading=gettext_lazy("授课资格")),
        ],
        base_form_class=LecturerProfileForm,
    )


class CorpsViewSet(PortalViewSet):
    model = LecturerCorps
    name = "lecturer_corps"
    url_prefix = "lecturer-portal/corps"
    icon = "group"
    menu_order = 400
    search_fields = ["name"]
    index_view_class = admin_views.CorpsIndexView
    add_view_class = admin_views.CorpsCreateView
    edit_view_class = admin_views.CorpsEditView
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("owning_unit"),
            FieldPanel("description"),
            FieldPanel("is_active"),
        ],
        base_form_class=CorpsForm,
    )


class LecturerPortalViewSetGroup(ModelViewSetGroup):
    items = (SessionViewSet, PlanViewSet, LecturerViewSet, CorpsViewSet)
    menu_label = gettext_lazy("讲师与培训")
    menu_icon = "date"
    menu_order = 260
    submenu_hook = "register_lecturer_portal_menu_item"


@hooks.register("register_admin_viewset")
def register_lecturer_portal_viewsets():
    return LecturerPortalViewSetGroup()


class FeedbackMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("lecturer_portal.view_feedback_overview")


@hooks.register("register_lecturer_portal_menu_item")
def register_feedback_menu_item():
    """The front-end page with all feedback in the coordinator's subtree."""
    return FeedbackMenuItem(
        _("学员评价"),
        reverse("lecturer_portal:feedback_overview"),
        name="lecturer-feedback",
        icon_name="comment",
        order=500,
    )


@hooks.register("register_log_actions")
def register_lecturer_portal_log_actions(actions):
    actions.register_action("lecturer_portal.publish", _("发布场次"), _("已发布"))
    actions.register_action("lecturer_portal.start", _("开始场次"), _("已开始"))
    actions.register_action("lecturer_portal.complete", _("结束场次"), _("已结束"))
    actions.register_action("lecturer_portal.cancel", _("取消场次"), _("已取消"))
    actions.register_action("lecturer_portal.assign", _("指派讲师"), _("已指派讲师"))
    actions.register_action("lecturer_portal.withdraw", _("撤回指派"), _("已撤回讲师指派"))


def home_panels(request, panels: list[dict]) -> None:
    """The home page: unread notices for everyone, invitations waiting for a lecturer."""
    person = getattr(request.user, "person", None)
    if person is None or not person.is_active:
        return
    if person.has_role(Role.LECTURER):
        waiting = len(selectors.lecturer_assignments(person=person)["invited"])
        panels.append(
            {
                "template": "includes/home_panel.html",
                "title": _("讲师工作台"),
                "text": _("%(n)d 条授课邀请待确认。") % {"n": waiting}
                if waiting
                else _("没有待确认的授课邀请。"),
                "url": reverse("lecturer_portal:workspace"),
                "link_text": _("打开讲师工作台"),
            }
        )
    unread = selectors.unread_notice_count(person)
    if unread:
        panels.append(
            {
                "template": "includes/home_panel.html",
                "title": _("通知"),
                "text": _("您有 %(n)d 条未读通知。") % {"n": unread},
                "url": reverse("lecturer_portal:notices"),
                "link_text": _("查看通知"),
            }
        )


hooks.register("construct_person_home_panels", home_panels)

# manage.py load_demo: corps, lecturer profiles, plans and sessions (lecturer_portal/demo.py).
hooks.register(DEMO_DATA_HOOK, load_lecturer_portal)


# Attendance for the certifications that require it (quizzes.certificates.ATTENDED_HOOK).
@hooks.register("quizzes_person_attended")
def person_attended(*, person, certification) -> bool:
    from .attendance import person_attended as attended

    return attended(person=person, certification=certification)
