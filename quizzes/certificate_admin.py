"""The Wagtail admin for certifications, certificates and the certification check API's clients.

Who may do what (role grants in ``ensure_certificate_permissions``, run after every migrate):
- certifications: everyone with admin access and the view permission sees the list; a
  coordinator adds and changes the certifications for the products of the companies in their
  managed subtree (a company's coordinator: their company's; the group's: all); only superusers
  delete, and only a certification nobody holds (the database protects the rest);
- certificates: coordinators see the certificates of their managed subtree and revoke them with a
  reason; nobody adds, edits or deletes one by hand (they come from passes);
- API clients and their call log: superusers and the coordinators of the group itself (the API
  answers about every agent of the group, so a branch's coordinator cannot hand out access).
  A client's token is shown once, when it is made or replaced; clients are disabled, not deleted.
"""

from django import forms
from django.apps import apps
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth.management import create_permissions
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy

from organization.admin_views import (
    ScopedBaseObjectMixin,
    ScopedHistoryView,
    ScopedObjectMixin,
    ServiceFormMixin,
)
from organization.models import OrgUnitKind, Role
from organization.roles import grant
from organization.scope import MANAGING_ROLES, can_manage_unit, filter_to_scope, scope_unit
from organization.scope import units_in_scope as org_units_in_scope
from organization.wagtail_hooks import ScopedModelViewSet

from .api import api_client_create, api_client_rotate_token
from .certificates import certificate_revoke
from .models import ApiCall, ApiClient, Certificate, Certification

COORDINATOR_PERMISSIONS = [
    "quizzes.add_certification",
    "quizzes.change_certification",
    "quizzes.view_certification",
    "quizzes.change_certificate",
    "quizzes.view_certificate",
    "quizzes.add_apiclient",
    "quizzes.change_apiclient",
    "quizzes.view_apiclient",
    "quizzes.view_apicall",
]


def ensure_certificate_permissions(**kwargs) -> None:
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    grant(Role.COORDINATOR, COORDINATOR_PERMISSIONS)


def _managed_root(user):
    return scope_unit(user, roles=MANAGING_ROLES)


# Permission policies -------------------------------------------------------------------------


class CertificationPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action == "delete":
            return user.is_active and user.is_superuser
        if not super().user_has_permission(user, action):
            return False
        return action == "view" or _managed_root(user) is not None

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Certification.objects.none()
        if set(actions) <= {"view"}:
            return Certification.objects.all()
        root = _managed_root(user)
        if root is None:
            return Certification.objects.none()
        return Certification.objects.filter(product_company__path__startswith=root.path)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return action == "view" or can_manage_unit(user, instance.product_company)


class CertificatePermissionPolicy(ModelPermissionPolicy):
    """View and revoke (the "change" model permission) in the managed subtree; nothing else."""

    def user_has_permission(self, user, action):
        if action == "revoke":
            action = "change"
        elif action != "view":
            return False
        return super().user_has_permission(user, action) and _managed_root(user) is not None

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Certificate.objects.none()
        return filter_to_scope(
            Certificate.objects.all(), user, path_field="org_path", roles=MANAGING_ROLES
        )

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and user.has_perm(
            "quizzes.revoke_certificate", instance
        )


def may_manage_api(user) -> bool:
    """Superusers and coordinators of the whole group."""
    root = _managed_root(user)
    return root is not None and root.kind == OrgUnitKind.GROUP


class ApiPermissionPolicy(ModelPermissionPolicy):
    """API clients and calls: the group's coordinators and superusers; never deleted."""

    def user_has_permission(self, user, action):
        return (
            action != "delete"
            and super().user_has_permission(user, action)
            and may_manage_api(user)
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return self.model.objects.all()

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


class ApiCallPermissionPolicy(ApiPermissionPolicy):
    """The call log is read, never written by hand."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)


# Certifications ------------------------------------------------------------------------------


class CertificationForm(WagtailAdminModelForm):
    """Offers only the companies whose products the coordinator's subtree covers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None and not self.for_user.is_superuser:
            self.fields["product_company"].queryset = org_units_in_scope(
                self.for_user, roles=MANAGING_ROLES
            ).filter(kind=OrgUnitKind.COMPANY)

    class Meta:
        model = Certification
        fields = [
            "name",
            "code",
            "description",
            "holder_company",
            "product_company",
            "quiz",
            "required_course",
            "requires_attendance",
            "validity_months",
            "active",
        ]


class ScopedCertificationEditView(ScopedObjectMixin, generic.EditView):
    object_action = "change"


class ScopedCertificationDeleteView(ScopedObjectMixin, generic.DeleteView):
    object_action = "delete"


class CertificationViewSet(ScopedModelViewSet):
    model = Certification
    name = "quiz_certifications"
    url_prefix = "quizzes/certifications"
    icon = "success"
    menu_label = gettext_lazy("资格认证")
    form_fields = CertificationForm.Meta.fields
    list_display = [
        "name",
        "code",
        "holder_company",
        "product_company",
        "quiz",
        "validity_months",
        "active",
    ]
    list_filter = ["active", "product_company"]
    search_fields = ["name", "code"]
    edit_view_class = ScopedCertificationEditView
    delete_view_class = ScopedCertificationDeleteView

    def get_form_class(self, for_update=False):
        return CertificationForm


# Certificates --------------------------------------------------------------------------------


class CertificateStatusColumn(Column):
    def get_value(self, instance):
        return instance.get_status_display()


class CertificateIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            self.permission_policy.instances_user_has_any_permission_for(
                self.request.user, ["view"]
            )
            .select_related("certification", "person", "company")
            .order_by("-issued_at", "-pk")
        )

    def get_edit_url(self, instance):
        return None

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if instance.revoked_at is None and self.user_has_permission_for_instance(
            "revoke", instance
        ):
            buttons.append(
                MenuItem(
                    _("撤销证书"),
                    url=reverse(self.edit_url_name, args=(quote(instance.pk),)),
                    icon_name="cross",
                    priority=40,
                )
            )
        return buttons


class CertificateRevokeForm(WagtailAdminModelForm):
    class Meta:
        model = Certificate
        fields = ["revoked_reason"]
        widgets = {"revoked_reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revoked_reason"].required = True
        self.fields["revoked_reason"].help_text = _(
            "撤销后证书立即失效，查验页面和证书核验接口都会显示已撤销。"
        )


class CertificateRevokeView(ScopedObjectMixin, ServiceFormMixin, generic.EditView):
    object_action = "revoke"
    permission_required = "revoke"
    page_title = gettext_lazy("撤销证书")
    submit_button_label = gettext_lazy("撤销证书")
    submit_button_active_label = gettext_lazy("正在撤销…")
    success_message = gettext_lazy("已撤销证书“%(object)s”。")
    error_message = gettext_lazy("证书未能撤销，请检查下面标出的错误。")
    service_error_field = "revoked_reason"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_url"] = reverse(self.edit_url_name, args=(quote(self.object.pk),))
        return context

    def get_success_url(self):
        return reverse(self.index_url_name)

    def save_instance(self):
        reason = self.form.cleaned_data["revoked_reason"]
        # The form wrote the reason onto self.object; the service re-reads the stored row.
        certificate = certificate_revoke(
            certificate=Certificate(pk=self.object.pk), reason=reason, user=self.request.user
        )
        log(
            instance=certificate,
            action="quizzes.revoke_certificate",
            user=self.request.user,
            data={"reason": certificate.revoked_reason},
        )
        return certificate


class CertificateInspectView(generic.InspectView):
    """Looked up among the certificates of the user's subtree: any other is a 404."""

    def get_object(self, queryset=None):
        return get_object_or_404(
            self.permission_policy.instances_user_has_any_permission_for(
                self.request.user, ["view"]
            ),
            pk=unquote(str(self.pk)),
        )

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None


class CertificateHistoryView(ScopedHistoryView):
    """Who revoked it, for those who may see the certificate (nobody "changes" one)."""

    any_permission_required = ["view", "revoke"]


class CertificateViewSet(ScopedModelViewSet):
    model = Certificate
    name = "quiz_certificates"
    url_prefix = "quizzes/certificates"
    icon = "doc-full"
    menu_label = gettext_lazy("证书")
    inspect_view_enabled = True
    form_fields = ["revoked_reason"]
    list_display = [
        "serial",
        "person",
        "certification",
        "issued_on",
        "expires_on",
        CertificateStatusColumn("status", label=gettext_lazy("状态")),
    ]
    list_filter = ["certification", "issued_on", "expires_on"]
    search_fields = ["serial", "person__name", "person__employee_no"]
    inspect_view_fields = [
        "serial",
        "certification",
        "person",
        "company",
        "issued_at",
        "issued_on",
        "expires_on",
        "attempt",
        "revoked_at",
        "revoked_reason",
        "revoked_by",
        "expiry_notice_sent_at",
    ]
    index_view_class = CertificateIndexView
    edit_view_class = CertificateRevokeView
    inspect_view_class = CertificateInspectView
    history_view_class = CertificateHistoryView

    def get_form_class(self, for_update=False):
        return CertificateRevokeForm

    def get_urlpatterns(self):
        # Only the listing, the inspect page and "edit", which is the revoke form; no add, no
        # delete, no copy (certificates come from passes).
        keep = {"index", "index_results", "inspect", "edit", "history", "history_results"}
        return [pattern for pattern in super().get_urlpatterns() if pattern.name in keep]


# API clients ---------------------------------------------------------------------------------


class ApiClientForm(WagtailAdminModelForm):
    class Meta:
        model = ApiClient
        fields = ["name", "description", "is_active"]


class ApiClientCreateView(generic.CreateView):
    """Save through the service, then show the token once instead of redirecting."""

    def form_valid(self, form):
        try:
            client, token = api_client_create(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                user=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        if not form.cleaned_data["is_active"]:
            client.is_active = False
            client.save(update_fields=["is_active"])
        log(instance=client, action="wagtail.create", user=self.request.user)
        return _token_response(self, client, token)


def _token_response(view, client, token):
    """The admin page that shows a new token, once; the view's own frame (header, menu)."""
    view.template_name = "quizzes/admin/api_token.html"
    context = view.get_context_data(
        object=client,
        client=client,
        token=token,
        check_url=view.request.build_absolute_uri(reverse("certificates:api_check")),
        clients_url=reverse(view.index_url_name),
    )
    return view.render_to_response(context)


class ApiClientEditView(ScopedObjectMixin, generic.EditView):
    object_action = "change"
    rotate_url_name = None

    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(
            HeaderButton(
                _("更换令牌"),
                url=reverse(self.rotate_url_name, args=(quote(self.object.pk),)),
                icon_name="key",
            )
        )
        return buttons


class ApiClientRotateView(
    ScopedBaseObjectMixin,
    BaseObjectMixin,
    PermissionCheckedMixin,
    WagtailAdminTemplateMixin,
    TemplateView,
):
    model = ApiClient
    object_action = "change"
    permission_required = "change"
    index_url_name = None
    edit_url_name = None
    rotate_url_name = None
    template_name = "quizzes/admin/api_rotate.html"
    page_title = gettext_lazy("更换令牌")
    header_icon = "key"

    def get_page_subtitle(self):
        return str(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        context["action_url"] = reverse(self.rotate_url_name, args=(quote(self.object.pk),))
        context["cancel_url"] = reverse(self.edit_url_name, args=(quote(self.object.pk),))
        return context

    def post(self, request, *args, **kwargs):
        token = api_client_rotate_token(client=self.object)
        log(instance=self.object, action="quizzes.rotate_api_token", user=request.user)
        messages.success(
            request, _("已更换“%(client)s”的令牌，旧令牌立即失效。") % {"client": self.object}
        )
        return _token_response(self, self.object, token)


class ApiClientViewSet(ScopedModelViewSet):
    model = ApiClient
    name = "quiz_api_clients"
    url_prefix = "quizzes/api-clients"
    icon = "key"
    menu_label = gettext_lazy("接口客户端")
    list_display = ["name", "token_hint", "is_active", "last_used_at", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    add_view_class = ApiClientCreateView
    edit_view_class = ApiClientEditView

    def get_form_class(self, for_update=False):
        return ApiClientForm

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(rotate_url_name=self.get_url_name("rotate"), **kwargs)

    @property
    def rotate_view(self):
        return self.construct_view(ApiClientRotateView)

    def get_urlpatterns(self):
        keep = {"index", "index_results", "add", "edit", "history", "history_results"}
        return [
            *(pattern for pattern in super().get_urlpatterns() if pattern.name in keep),
            path("rotate/<int:pk>/", self.rotate_view, name="rotate"),
        ]


class ApiCallViewSet(ScopedModelViewSet):
    model = ApiCall
    name = "quiz_api_calls"
    url_prefix = "quizzes/api-calls"
    icon = "list-ul"
    menu_label = gettext_lazy("接口调用记录")
    inspect_view_enabled = True
    form_fields = ["client"]
    list_display = ["at", "client", "ip", "query", "status_code", "result"]
    list_filter = ["client", "status_code", "at"]

    def get_urlpatterns(self):
        keep = {"index", "index_results", "inspect"}
        return [pattern for pattern in super().get_urlpatterns() if pattern.name in keep]


class CertificateViewSetGroup(ModelViewSetGroup):
    items = (CertificationViewSet, CertificateViewSet, ApiClientViewSet, ApiCallViewSet)
    menu_label = gettext_lazy("资格证书")
    menu_icon = "success"
    menu_order = 320
