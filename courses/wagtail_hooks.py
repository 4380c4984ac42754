"""Admin wiring: mandatory assignments for coordinators, page-permission upkeep, media access."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.auth import permission_denied
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from organization.demo import DEMO_DATA_HOOK
from organization.scope import can_manage_unit

from .demo import load_courses
from .forms import AssignmentForm
from .models import Assignment, CourseIndexPage, MorningMeetingIndexPage
from .permissions import grant_section_page_permissions
from .selectors import assignments_in_scope, media_item_open_to
from .services import assignment_create, assignment_update
from .views import home_panels


class AssignmentPermissionPolicy(ModelPermissionPolicy):
    """Coordinators (model permissions of their role) on the assignments in their subtree.

    Assignments are never deleted, only deactivated: enrolments and reports point at them.
    """

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and can_manage_unit(
            user, instance.audience_root
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Assignment.objects.none()
        return assignments_in_scope(user)


register_permission_policy(Assignment, AssignmentPermissionPolicy(Assignment))


class InScopeObjectMixin:
    """Refuse an assignment whose audience lies outside the coordinator's subtree."""

    def get_object(self, *args, **kwargs):
        assignment = super().get_object(*args, **kwargs)
        if not can_manage_unit(self.request.user, assignment.audience_root):
            raise PermissionDenied
        return assignment


class ServiceFormMixin:
    """Save through the service; its ValidationError shows on the form, like a field error."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)

    def service_arguments(self) -> dict:
        data = self.form.cleaned_data
        return {
            "user": self.request.user,
            "audience_root": data["audience_root"],
            "due_date": data["due_date"],
            "companies": data["audience_companies"],
            "channels": data["channels"],
            "roles": data["roles"],
        }


class AssignmentIndexView(generic.IndexView):
    def get_base_queryset(self):
        return assignments_in_scope(self.request.user)


class AssignmentCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        assignment = assignment_create(
            course=self.form.cleaned_data["course"], **self.service_arguments()
        )
        log(instance=assignment, action="wagtail.create", user=self.request.user)
        return assignment


class AssignmentEditView(InScopeObjectMixin, ServiceFormMixin, generic.EditView):
    def save_instance(self):
        assignment = assignment_update(
            assignment=self.object,
            active=self.form.cleaned_data["active"],
            **self.service_arguments(),
        )
        log(instance=assignment, action="wagtail.edit", user=self.request.user)
        return assignment


class AssignmentHistoryView(InScopeObjectMixin, HistoryView):
    pass


class AssignmentUsageView(InScopeObjectMixin, UsageView):
    pass


class AssignmentViewSet(ModelViewSet):
    model = Assignment
    icon = "date"
    menu_label = _("必修指派")
    menu_order = 250
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["course", "audience_root", "due_date", "active", "created_at"]
    list_filter = ["active"]
    index_view_class = AssignmentIndexView
    add_view_class = AssignmentCreateView
    edit_view_class = AssignmentEditView
    history_view_class = AssignmentHistoryView
    usage_view_class = AssignmentUsageView
    edit_handler = ObjectList(
        [
            FieldPanel("course"),
            FieldPanel("audience_root"),
            FieldPanel("audience_companies", widget=forms.CheckboxSelectMultiple),
            FieldPanel("channels"),
            FieldPanel("roles"),
            FieldPanel("due_date"),
            FieldPanel("active"),
        ],
        base_form_class=AssignmentForm,
    )


@hooks.register("register_admin_viewset")
def register_assignment_viewset():
    return AssignmentViewSet("course_assignments")


@hooks.register("after_create_page")
def grant_lecturers_on_new_index_page(request, page):
    if isinstance(page.specific, CourseIndexPage | MorningMeetingIndexPage):
        grant_section_page_permissions()


@hooks.register("before_move_page")
def refuse_moves_the_user_may_not_make(request, page, destination):
    """Wagtail checks a move when it is made; this refuses the confirmation page too, so nobody
    sees another company's course offered as a destination."""
    if not page.permissions_for_user(request.user).can_move_to(destination):
        return permission_denied(request)


@hooks.register("media_library_user_can_view")
def media_in_lessons_open_to_user(user, item):
    person = getattr(user, "person", None)
    return person is not None and person.is_active and media_item_open_to(person=person, item=item)


# The agents' front end (courses/views.py): 今日晨会 and 我的学习 panels on the home page.
hooks.register("construct_person_home_panels", home_panels)

# manage.py load_demo: the demo courses, morning meetings and learning records (courses/demo.py).
hooks.register(DEMO_DATA_HOOK, load_courses)
