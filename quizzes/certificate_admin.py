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
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy

from organization import api_client_admin
from organization.admin_views import (
    ScopedHistoryView,
    ScopedObjectMixin,
    ServiceFormMixin,
)
from organization.models import OrgUnitKind, Role
from organization.roles import grant
from organization.scope import MANAGING_ROLES, can_manage_unit, filter_to_scope, scope_unit
from organization.scope import units_in_scope as org_units_in_scope
from organization.wagtail_hooks import ScopedModelViewSet

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


class ApiClientViewSet(api_client_admin.ApiClientViewSet):
    model = ApiClient
    name = "quiz_api_clients"
    url_prefix = "quizzes/api-clients"
    menu_label = gettext_lazy("接口客户端")
    form_class = ApiClientForm
    token_template_name = "quizzes/admin/api_token.html"
    api_url_name = "certificates:api_check"
    rotate_log_action = "quizzes.rotate_api_token"


class ApiCallViewSet(api_client_admin.ApiCallViewSet):
    model = ApiCall
    name = "quiz_api_calls"
    url_prefix = "quizzes/api-calls"
    menu_label = gettext_lazy("接口调用记录")


class CertificateViewSetGroup(ModelViewSetGroup):
    items = (CertificationViewSet, CertificateViewSet, ApiClientViewSet, ApiCallViewSet)
    menu_label = gettext_lazy("资格证书")
    menu_icon = "success"
    menu_order = 320
