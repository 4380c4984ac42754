"""The coordinators' Wagtail admin for corps, lecturer profiles, plans and sessions;
``wagtail_hooks.py`` wires it up.

Every view asks the model's permission policy (``wagtail_hooks.py``): first for the model, then
for the row, which is looked up among the rows of the user's subtree, so a row outside it is a
404 on every URL. Writes go through ``services``; a ``ValidationError`` shows on the form or as an
error message, and nothing is changed.
"""

from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.log_actions import log

from organization.admin_views import ScopedObjectMixin, ServiceFormMixin

from . import conflicts, selectors, services
from .forms import AssignForm, CancelForm
from .models import (
    LecturerAssignment,
    LecturerCorps,
    SessionStatus,
    TrainingSession,
)


def _scoped(view, action: str = "view"):
    return view.permission_policy.instances_user_has_any_permission_for(view.request.user, [action])


class ScopedIndexMixin:
    """The listing shows the rows of the user's subtree (the same rule that guards each row)."""

    def get_base_queryset(self):
        return _scoped(self, "view")


class SaveWithServiceMixin(ServiceFormMixin):
    """Create and edit views save through ``save_with_service`` and log the change."""

    log_action = "wagtail.edit"

    def save_with_service(self):
        raise NotImplementedError

    def save_instance(self):
        instance = self.save_with_service()
        log(instance=instance, action=self.log_action, user=self.request.user)
        return instance


class ScopedCreateView(SaveWithServiceMixin, generic.CreateView):
    log_action = "wagtail.create"
    inspect_url_name = None


class ScopedEditView(ScopedObjectMixin, SaveWithServiceMixin, generic.EditView):
    object_action = "change"


# Corps


class CorpsIndexView(ScopedIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(member_count=Count("members"))

    @cached_property
    def columns(self):
        field = LecturerCorps._meta.get_field
        return [
            TitleColumn(
                "name", label=field("name").verbose_name, sort_key="name", get_url=self.get_edit_url
            ),
            Column("owning_unit", label=field("owning_unit").verbose_name),
            Column("member_count", label=_("成员数"), sort_key="member_count"),
            BooleanColumn("is_active", label=field("is_active").verbose_name),
        ]


class CorpsServiceMixin:
    def corps_fields(self) -> dict:
        data = self.form.cleaned_data
        return {
            "owning_unit": data["owning_unit"],
            "name": data["name"],
            "description": data["description"],
            "is_active": data["is_active"],
        }


class CorpsCreateView(CorpsServiceMixin, ScopedCreateView):
    service_error_field = "owning_unit"

    def save_with_service(self):
        return services.corps_create(user=self.request.user, **self.corps_fields())


class CorpsEditView(CorpsServiceMixin, ScopedEditView):
    service_error_field = "owning_unit"

    def save_with_service(self):
        return services.corps_update(
            user=self.request.user, corps=self.object, **self.corps_fields()
        )


# Lecturer profiles


class LecturerIndexView(ScopedIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        return selectors.profiles_with_details(super().get_base_queryset())

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "person",
                label=_("讲师"),
                accessor=lambda profile: profile.person.name,
                sort_key="person__name",
                get_url=self.get_edit_url,
            ),
            Column("employee_no", label=_("工号"), accessor="person.employee_no"),
            Column("unit", label=_("所属机构"), accessor="person.org_unit.name"),
            Column("level", label=_("讲师级别"), accessor="get_level_display"),
            Column("employment", label=_("专兼职"), accessor="get_employment_display"),
            Column(
                "qualifications",
                label=_("授课资格"),
                accessor=lambda profile: "；".join(str(q) for q in profile.qualifications.all()),
            ),
            Column(
                "corps",
                label=_("所属讲师团"),
                accessor=lambda profile: "、".join(c.name for c in profile.corps.all()),
            ),
            BooleanColumn("is_active", label=_("可承接授课")),
        ]


class LecturerCreateView(ScopedCreateView):
    service_error_field = "person"

    def save_with_service(self):
        return services.lecturer_profile_save(
            user=self.request.user, profile=self.form.save(commit=False)
        )


class LecturerEditView(ScopedEditView):
    def save_with_service(self):
        return services.lecturer_profile_save(
            user=self.request.user, profile=self.form.save(commit=False)
        )


# Plans


class PlanIndexView(ScopedIndexMixin, generic.IndexView):
    @cached_property
    def columns(self):
        return [
            TitleColumn("title", label=_("标题"), sort_key="title", get_url=self.get_inspect_url),
            Column("org_unit", label=_("制定机构")),
            Column("period", label=_("期间"), accessor="period_label"),
            Column("created_at", label=_("创建时间"), sort_key="created_at"),
        ]


class PlanCreateView(ScopedCreateView):
    service_error_field = "org_unit"

    def save_with_service(self):
        return services.plan_save(user=self.request.user, plan=self.form.save(commit=False))

    def get_success_url(self):
        return reverse(self.inspect_url_name, args=(quote(self.object.pk),))


class PlanEditView(ScopedEditView):
    service_error_field = "org_unit"

    def save_with_service(self):
        return services.plan_save(user=self.request.user, plan=self.form.save(commit=False))

    def get_success_url(self):
        return reverse(self.inspect_url_name, args=(quote(self.object.pk),))


class PlanDeleteView(ScopedObjectMixin, generic.DeleteView):
    object_action = "delete"


class PlanInspectView(generic.InspectView):
    """The plan page: planned against held against attended, per item and in total."""

    template_name = "lecturer_portal/admin/plan_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(_scoped(self), pk=self.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["progress"] = selectors.plan_progress(self.object)
        return context


# Sessions


class SessionIndexView(ScopedIndexMixin, generic.IndexView):
    default_ordering = "-starts_at"

    @cached_property
    def columns(self):
        return [
            TitleColumn("title", label=_("名称"), sort_key="title", get_url=self.get_inspect_url),
            Column("kind", label=_("培训类型"), accessor="get_kind_display"),
            Column("host_unit", label=_("主办机构")),
            Column("starts_at", label=_("时间"), accessor="local_time_range", sort_key="starts_at"),
            Column("lead_name", label=_("主讲讲师")),
            Column("status", label=_("状态"), accessor="get_status_display", sort_key="status"),
        ]

    def get_edit_url(self, instance):
        if instance.is_open:
            return super().get_edit_url(instance)
        return None


def _session_fields(form) -> dict:
    data = form.cleaned_data
    return {
        **{name: data[name] for name in services.SESSION_FIELDS},
        "audience_companies": data["audience_companies"],
        "documents": data["documents"],
        "media": data["media"],
    }


class SessionCreateView(ScopedCreateView):
    service_error_field = "host_unit"

    def save_with_service(self):
        return services.session_create(user=self.request.user, **_session_fields(self.form))

    def get_success_url(self):
        return reverse(self.inspect_url_name, args=(quote(self.object.pk),))


class SessionEditView(ScopedEditView):
    def save_with_service(self):
        return services.session_update(
            user=self.request.user, session=self.object, **_session_fields(self.form)
        )

    def get_success_url(self):
        return reverse(self.inspect_url_name, args=(quote(self.object.pk),))


class SessionObjectMixin:
    """The session named by the URL among those of the user's subtree (else 404)."""

    model = TrainingSession
    inspect_url_name = None

    @cached_property
    def session(self) -> TrainingSession:
        sessions = _scoped(self).select_related("host_unit", "product_company")
        return get_object_or_404(sessions, pk=self.kwargs["pk"])

    def inspect_url(self) -> str:
        return reverse(self.inspect_url_name, args=(quote(self.session.pk),))


class SessionSubpageMixin(SessionObjectMixin):
    """A page of its own under the session's page (assign, cancel): the breadcrumbs lead back
    to the sessions and to this session, where Wagtail's default shows only "首页"."""

    index_url_name = None

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(self.index_url_name),
                "label": TrainingSession._meta.verbose_name_plural,
            },
            {"url": self.inspect_url(), "label": self.session.title},
            {"url": "", "label": self.get_page_title()},
        ]


class SessionInspectView(generic.InspectView):
    """A session: its details, status with the actions it allows, and its lecturers."""

    template_name = "lecturer_portal/admin/session_inspect.html"
    action_url_names: dict[str, str] = {}
    assign_url_name = None
    withdraw_url_name = None

    def get_object(self, queryset=None):
        return get_object_or_404(
            _scoped(self).select_related(
                "host_unit", "product_company", "audience_root", "course", "plan_item__plan"
            ),
            pk=self.pk,
        )

    def get_edit_url(self):
        return super().get_edit_url() if self.object.is_open else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.object
        allowed = {
            "publish": session.status == SessionStatus.DRAFT,
            "start": session.status == SessionStatus.PUBLISHED,
            "complete": session.status == SessionStatus.IN_PROGRESS,
            "cancel": session.status not in (SessionStatus.COMPLETED, SessionStatus.CANCELLED),
        }
        context.update(
            session=session,
            actions={
                name: reverse(url_name, args=(quote(session.pk),))
                for name, url_name in self.action_url_names.items()
                if allowed[name]
            },
            assignments=selectors.session_assignments(session),
            assign_url=reverse(self.assign_url_name, args=(quote(session.pk),))
            if session.is_open
            else None,
            withdraw_url_name=self.withdraw_url_name if session.is_open else None,
            audience_size=selectors.session_audience(session).count(),
            audience_companies=list(session.audience_companies.all()),
            # The front end's "register the whole audience" (its service checks again).
            registration_open=session.status == SessionStatus.PUBLISHED
            and timezone.now() <= session.registration_deadline,
        )
        return context


class SessionActionView(SessionObjectMixin, PermissionCheckedMixin, TemplateView):
    """Publish, start or complete a session (a POST from the session page)."""

    http_method_names = ["post"]
    permission_required = "change"
    service = None
    log_action = None
    success_message = None

    def post(self, request, *args, **kwargs):
        try:
            session = self.service(user=request.user, session=self.session)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            log(instance=session, action=self.log_action, user=request.user)
            messages.success(request, self.success_message % {"title": session.title})
        return redirect(self.inspect_url())


class SessionCancelView(
    SessionSubpageMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView
):
    permission_required = "change"
    template_name = "lecturer_portal/admin/session_cancel.html"
    page_title = gettext_lazy("取消场次")
    header_icon = "cross"

    def get_page_subtitle(self):
        return self.session.title

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            session=self.session, form=form or CancelForm(), cancel_url=self.inspect_url()
        )
        return context

    def post(self, request, *args, **kwargs):
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                session = services.session_cancel(
                    user=request.user, session=self.session, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                log(
                    instance=session,
                    action="lecturer_portal.cancel",
                    user=request.user,
                    data={"reason": session.cancel_reason},
                )
                messages.success(
                    request, _("已取消“%(title)s”，并通知了相关人员。") % {"title": session.title}
                )
                return redirect(self.inspect_url())
        return self.render_to_response(self.get_context_data(form=form))


class SessionAssignView(
    SessionSubpageMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView
):
    """Assign a lecturer: choose one (or take a suggestion), see why not, confirm warnings."""

    permission_required = "change"
    template_name = "lecturer_portal/admin/session_assign.html"
    page_title = gettext_lazy("指派讲师")
    header_icon = "user"

    def get_page_subtitle(self):
        return self.session.title

    def make_form(self, data=None) -> AssignForm:
        lecturers = conflicts.lecturers_available_to(self.request.user, self.session)
        return AssignForm(data, lecturers=lecturers)

    def get_context_data(self, form=None, warnings=(), **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            session=self.session,
            form=form or self.make_form(),
            warnings=warnings,
            suggestions=conflicts.suggest_lecturers(user=self.request.user, session=self.session),
            nearness_labels=conflicts.NEARNESS_LABELS,
            cancel_url=self.inspect_url(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        warnings = []
        if form.is_valid():
            data = form.cleaned_data
            try:
                assignment = services.lecturer_assign(
                    user=request.user,
                    session=self.session,
                    lecturer=data["lecturer"],
                    role=data["role"],
                    confirm=data["confirm"],
                )
            except services.NeedsConfirmation as warning:
                warnings = warning.messages
                form.ask_confirmation()
            except ValidationError as error:
                form.add_error(None, error)
            else:
                log(
                    instance=self.session,
                    action="lecturer_portal.assign",
                    user=request.user,
                    data={
                        "lecturer": str(assignment.lecturer),
                        "role": assignment.get_role_display(),
                    },
                )
                messages.success(
                    request,
                    _("已邀请“%(name)s”担任%(role)s，等待其确认。")
                    % {
                        "name": assignment.lecturer.person.name,
                        "role": assignment.get_role_display(),
                    },
                )
                return redirect(self.inspect_url())
        return self.render_to_response(self.get_context_data(form=form, warnings=warnings))


class AssignmentWithdrawView(PermissionCheckedMixin, TemplateView):
    """Take back an assignment (a POST from the session page)."""

    model = TrainingSession
    http_method_names = ["post"]
    permission_required = "change"
    inspect_url_name = None

    def post(self, request, *args, **kwargs):
        assignment = get_object_or_404(
            LecturerAssignment.objects.filter(session__in=_scoped(self).values("pk")),
            pk=kwargs["pk"],
        )
        try:
            services.assignment_withdraw(user=request.user, assignment=assignment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            log(
                instance=assignment.session,
                action="lecturer_portal.withdraw",
                user=request.user,
                data={"lecturer": str(assignment.lecturer)},
            )
            messages.success(
                request, _("已撤回对“%(name)s”的指派。") % {"name": assignment.lecturer}
            )
        return redirect(reverse(self.inspect_url_name, args=(quote(assignment.session_id),)))
