"""The Wagtail admin of API clients (``organization.api_clients``), shared by every API.

A client is made through ``api_client_create`` and its token is shown once, on the page that
follows the form (no redirect); "更换令牌" replaces it the same way. Clients are disabled, not
deleted (their call log points at them). Each API subclasses ``ApiClientViewSet`` with its
model, form, permission policy, the URL name of its endpoint, a template extending
``organization/admin/api_token.html`` that shows how to call it, and its rotation log action.
"""

from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log

from .admin_views import ScopedBaseObjectMixin, ScopedHistoryView, ScopedObjectMixin
from .api_clients import api_client_create, api_client_rotate_token
from .wagtail_hooks import ScopedModelViewSet


def _token_response(view, client, token):
    """The admin page that shows a new token, once; the view's own frame (header, menu)."""
    view.template_name = view.token_template_name
    context = view.get_context_data(
        object=client,
        client=client,
        token=token,
        api_url=view.request.build_absolute_uri(reverse(view.api_url_name)),
        clients_url=reverse(view.index_url_name),
    )
    return view.render_to_response(context)


class ScopedIndexView(generic.IndexView):
    """Lists only the rows the permission policy lets the user see."""

    def get_base_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["view"]
        )


class ScopedInspectView(ScopedBaseObjectMixin, generic.InspectView):
    pass


class ApiClientCreateView(generic.CreateView):
    """Save through the service, then show the token once instead of redirecting."""

    token_template_name = None
    api_url_name = None

    def form_valid(self, form):
        try:
            client, token = api_client_create(
                model=self.model, user=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        log(instance=client, action="wagtail.create", user=self.request.user)
        return _token_response(self, client, token)


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
    object_action = "change"
    permission_required = "change"
    index_url_name = None
    edit_url_name = None
    rotate_url_name = None
    token_template_name = None
    api_url_name = None
    rotate_log_action = None
    template_name = "organization/admin/api_rotate.html"
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
        log(instance=self.object, action=self.rotate_log_action, user=request.user)
        messages.success(
            request, _("已更换“%(client)s”的令牌，旧令牌立即失效。") % {"client": self.object}
        )
        return _token_response(self, self.object, token)


class ApiClientViewSet(ScopedModelViewSet):
    icon = "key"
    list_display = ["name", "token_hint", "is_active", "last_used_at", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    index_view_class = ScopedIndexView
    add_view_class = ApiClientCreateView
    history_view_class = ScopedHistoryView
    edit_view_class = ApiClientEditView
    form_class = None
    token_template_name = None
    api_url_name = None
    rotate_log_action = None

    def get_form_class(self, for_update=False):
        return self.form_class

    def get_common_view_kwargs(self, **kwargs):
        # Each view takes the ones it has an attribute for.
        return super().get_common_view_kwargs(
            rotate_url_name=self.get_url_name("rotate"),
            token_template_name=self.token_template_name,
            api_url_name=self.api_url_name,
            rotate_log_action=self.rotate_log_action,
            **kwargs,
        )

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
    """The call log: read, never written by hand."""

    icon = "list-ul"
    index_view_class = ScopedIndexView
    inspect_view_enabled = True
    inspect_view_class = ScopedInspectView
    form_fields = ["client"]
    list_display = ["at", "client", "ip", "query", "status_code", "result"]
    list_filter = ["client", "status_code", "at"]

    def get_urlpatterns(self):
        keep = {"index", "index_results", "inspect"}
        return [pattern for pattern in super().get_urlpatterns() if pattern.name in keep]
