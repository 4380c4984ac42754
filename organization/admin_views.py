"""The Wagtail admin's views of the org tree and people; wagtail_hooks.py wires them up.

Each view asks the model's permission policy (registered in wagtail_hooks.py) twice: for the model,
before anything is loaded (Wagtail's PermissionCheckedMixin), and for the row. Rows are looked up
among those the policy lets the user touch, so a unit or person outside the user's subtree is a
404 on every URL. A row inside it that the user may not treat this way (their own scope root, a
unit that still has children) raises PermissionDenied, which the Wagtail admin answers with a
redirect to its dashboard and an error message (a 403 for AJAX requests). Writes go through
organization.services, and a ValidationError a service raises is shown next to the field it
concerns.
"""

import django_filters
from axes.utils import reset as reset_failed_logins
from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, Func, OuterRef, ProtectedError, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.search import SearchForm
from wagtail.admin.ui.tables import BooleanColumn, ButtonsColumnMixin, Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.log_actions import log

from .forms import ScopedUnitChoiceField
from .models import OrgUnit, OrgUnitKind, Person, Role
from .scope import MANAGING_ROLES, scope_unit
from .selectors import unit_ancestry
from .services import (
    org_unit_create,
    org_unit_move,
    org_unit_update,
    person_create,
    person_deactivate,
    person_update,
)

PEOPLE_INDEX_URL_NAME = "org_people:index"


def add_service_errors(form, error: ValidationError, *, field: str | None) -> None:
    """Put a service's ValidationError on the form: on the fields it names, else on ``field``."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, error)


def with_query(url: str, **params) -> str:
    return f"{url}?{urlencode(params)}"


def pk_from_query(request, name: str) -> str:
    """A primary key from the query string, "" when absent; anything else but digits is a 404."""
    value = request.GET.get(name, "")
    if value and not value.isdecimal():
        raise Http404
    return value


class ScopedObjectMixin:
    """Load the row, for views built on Django's SingleObjectMixin (edit, move, delete).

    The row is looked up among those the policy lets the user touch, then checked for
    ``object_action``.
    """

    object_action = "change"

    def get_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, [self.object_action]
        )

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not self.user_has_permission_for_instance(self.object_action, obj):
            raise PermissionDenied
        return obj


class ScopedBaseObjectMixin:
    """The same for views built on Wagtail's BaseObjectMixin (history, deactivate)."""

    object_action = "view"

    def get_base_object_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, [self.object_action]
        )

    def get_object(self):
        obj = super().get_object()
        if not self.user_has_permission_for_instance(self.object_action, obj):
            raise PermissionDenied
        return obj


class ServiceFormMixin:
    """Save through a service; its ValidationError re-renders the form with the message in place."""

    service_error_field = None

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            add_service_errors(form, error, field=self.service_error_field)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class UserFormKwargsMixin:
    """The admin forms offer only units of the user's subtree, so they are given the user."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


class ActionsTitleColumn(ButtonsColumnMixin, TitleColumn):
    """A row's title with its menu of actions."""

    def __init__(self, *args, get_buttons, **kwargs):
        super().__init__(*args, **kwargs)
        self._get_buttons = get_buttons

    def get_buttons(self, instance, parent_context):
        return self._get_buttons(instance)


# Org units


class UnitTreeMixin:
    """Links and breadcrumbs that walk the tree from the user's scope root down to a unit."""

    index_url_name = None
    add_url_name = None
    edit_url_name = None
    move_url_name = None
    history_url_name = None

    @cached_property
    def scope_root(self) -> OrgUnit:
        return scope_unit(self.request.user, roles=MANAGING_ROLES)

    def get_unit_from_query(self, action: str) -> OrgUnit:
        """The unit named by ``?parent=``, by default the scope root; 404 outside the subtree."""
        pk = pk_from_query(self.request, "parent")
        if not pk:
            unit = self.scope_root
        else:
            units = self.permission_policy.instances_user_has_any_permission_for(
                self.request.user, [action]
            )
            unit = get_object_or_404(units, pk=pk)
        if not self.user_has_permission_for_instance(action, unit):
            raise PermissionDenied
        return unit

    def get_drilldown_url(self, unit: OrgUnit) -> str:
        return with_query(reverse(self.index_url_name), parent=unit.pk)

    def get_add_child_url(self, unit: OrgUnit) -> str | None:
        if unit.kind != OrgUnitKind.OUTLET and self.user_has_permission_for_instance("add", unit):
            return with_query(reverse(self.add_url_name), parent=unit.pk)
        return None

    def get_unit_edit_url(self, unit: OrgUnit) -> str | None:
        if self.user_has_permission_for_instance("change", unit):
            return reverse(self.edit_url_name, args=(quote(unit.pk),))
        return None

    def get_move_url(self, unit: OrgUnit) -> str | None:
        if self.user_has_permission_for_instance("move", unit):
            return reverse(self.move_url_name, args=(quote(unit.pk),))
        return None

    def get_unit_history_url(self, unit: OrgUnit) -> str:
        return reverse(self.history_url_name, args=(quote(unit.pk),))

    def get_people_url(self, unit: OrgUnit) -> str:
        return with_query(reverse(PEOPLE_INDEX_URL_NAME), unit=unit.pk)

    def unit_breadcrumbs(self, unit: OrgUnit, *, current: bool = False) -> list[dict]:
        """One item per unit from the scope root down to ``unit``, in one query."""
        items = [
            {"url": self.get_drilldown_url(ancestor), "label": ancestor.name}
            for ancestor in unit_ancestry(unit)
            if ancestor.depth >= self.scope_root.depth
        ]
        if current:
            items[-1]["url"] = ""
        return items

    def get_unit_index_url(self, unit: OrgUnit) -> str:
        """The listing that shows ``unit`` among its siblings; the root's own listing for a root."""
        if unit.pk == self.scope_root.pk or unit.is_root():
            return reverse(self.index_url_name)
        return self.get_drilldown_url(unit.get_parent())

    def get_unit_buttons(self, unit: OrgUnit, *, leave_out: tuple[str, ...] = ()) -> list[Button]:
        """What the user may do to ``unit``, less the actions named in ``leave_out`` (the page
        one is on, or what the page shows elsewhere)."""
        actions = [
            ("children", _("下级机构"), lambda: self.get_drilldown_url(unit), "arrow-right"),
            ("add", _("添加下级机构"), lambda: self.get_add_child_url(unit), "plus"),
            ("edit", _("编辑"), lambda: self.get_unit_edit_url(unit), "edit"),
            ("move", _("移动"), lambda: self.get_move_url(unit), "resubmit"),
            ("people", _("人员"), lambda: self.get_people_url(unit), "user"),
            ("history", _("历史"), lambda: self.get_unit_history_url(unit), "history"),
        ]
        buttons = []
        for priority, (key, label, get_url, icon) in enumerate(actions, start=1):
            if key not in leave_out and (url := get_url()):
                buttons.append(Button(label, url=url, icon_name=icon, priority=priority))
        return buttons


class ParentSearchForm(SearchForm):
    """The search box, carrying the unit being browsed to the results view."""

    parent = forms.IntegerField(
        label=gettext_lazy("上级机构"), widget=forms.HiddenInput, required=False
    )


class OrgUnitIndexView(UnitTreeMixin, generic.IndexView):
    """The children of one unit (``?parent=``, by default the scope root); a search looks at
    every unit below it."""

    page_title = gettext_lazy("机构")
    default_ordering = "path"
    add_item_label = gettext_lazy("添加下级机构")

    @cached_property
    def parent(self) -> OrgUnit:
        return self.get_unit_from_query("view")

    def get_search_form(self):
        if not self.is_searchable:
            return None
        data = self.request.GET if self.search_kwarg in self.request.GET else None
        return ParentSearchForm(data, initial={"parent": self.parent.pk})

    def get_base_queryset(self):
        units = self.parent.get_descendants() if self.is_searching else self.parent.get_children()
        active_people_below = (
            Person.objects.filter(is_active=True, org_unit__path__startswith=OuterRef("path"))
            .order_by()
            .annotate(count=Func(F("pk"), function="COUNT"))
            .values("count")
        )
        return units.annotate(
            headcount=Subquery(active_people_below),
            has_people=Exists(Person.objects.filter(org_unit=OuterRef("pk"))),
        )

    @cached_property
    def columns(self):
        field = OrgUnit._meta.get_field
        return [
            ActionsTitleColumn(
                "name",
                label=field("name").verbose_name,
                sort_key="name",
                get_url=self.get_drilldown_url,
                get_buttons=self.get_list_buttons,
            ),
            Column("code", label=field("code").verbose_name, sort_key="code"),
            Column("kind", accessor="get_kind_display", label=field("kind").verbose_name),
            Column("region_code", label=field("region_code").verbose_name),
            BooleanColumn("is_active", label=field("is_active").verbose_name),
            Column("numchild", label=_("下级机构数"), sort_key="numchild"),
            Column("headcount", label=_("在职人数"), sort_key="headcount"),
        ]

    def get_edit_url(self, instance):
        return self.get_unit_edit_url(instance)

    def get_delete_url(self, instance):
        if self.user_has_permission_for_instance("delete", instance):
            return reverse(self.delete_url_name, args=(quote(instance.pk),))
        return None

    def get_list_more_buttons(self, instance):
        buttons = self.get_unit_buttons(instance)
        if delete_url := self.get_delete_url(instance):
            buttons.append(Button(_("删除"), url=delete_url, icon_name="bin", priority=100))
        return buttons

    def get_add_url(self):
        return self.get_add_child_url(self.parent)

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        buttons.append(
            HeaderButton(
                _("本机构人员"),
                url=self.get_people_url(self.parent),
                icon_name="user",
                priority=1100,  # after the add button
            )
        )
        return buttons

    @cached_property
    def header_more_buttons(self):
        return self.get_unit_buttons(self.parent, leave_out=("children", "add", "people"))

    def get_page_subtitle(self):
        return self.parent.name

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + self.unit_breadcrumbs(self.parent, current=True)


class OrgUnitCreateView(UnitTreeMixin, ServiceFormMixin, generic.CreateView):
    page_title = gettext_lazy("添加下级机构")
    success_message = gettext_lazy("已添加机构“%(object)s”。")
    error_message = gettext_lazy("机构未能保存，请检查下面标出的错误。")
    service_error_field = "kind"

    @cached_property
    def parent(self) -> OrgUnit:
        return self.get_unit_from_query("add")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "parent": self.parent}

    def get_add_url(self):
        return with_query(reverse(self.add_url_name), parent=self.parent.pk)

    def get_page_subtitle(self):
        return _("在“%(parent)s”下添加机构") % {"parent": self.parent.name}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            *self.unit_breadcrumbs(self.parent),
            {"url": "", "label": self.page_title},
        ]

    def save_instance(self):
        data = self.form.cleaned_data
        unit = org_unit_create(
            parent=self.parent,
            kind=data["kind"],
            code=data["code"],
            name=data["name"],
            region_code=data["region_code"],
        )
        log(instance=unit, action="wagtail.create", user=self.request.user)
        return unit

    def get_success_url(self):
        return self.get_drilldown_url(self.parent)


class OrgUnitEditView(UnitTreeMixin, ScopedObjectMixin, ServiceFormMixin, generic.EditView):
    object_action = "change"
    page_title = gettext_lazy("编辑机构")
    success_message = gettext_lazy("已保存机构“%(object)s”。")
    error_message = gettext_lazy("机构未能保存，请检查下面标出的错误。")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            *self.unit_breadcrumbs(self.object),
            {"url": "", "label": self.page_title},
        ]

    def get_header_more_buttons(self):
        # The side panel links to the history already.
        buttons = self.get_unit_buttons(self.object, leave_out=("edit", "history"))
        return sorted([*self.header_more_buttons, *buttons])

    def save_instance(self):
        data = self.form.cleaned_data
        unit = org_unit_update(
            unit=self.object,
            name=data["name"],
            code=data["code"],
            region_code=data["region_code"],
            is_active=data["is_active"],
        )
        log(instance=unit, action="wagtail.edit", user=self.request.user)
        return unit

    def get_success_url(self):
        return self.get_unit_index_url(self.object)


class OrgUnitMoveView(
    UnitTreeMixin, ScopedObjectMixin, UserFormKwargsMixin, ServiceFormMixin, generic.EditView
):
    """Move a unit, with everything under it, under another unit of the user's subtree."""

    object_action = "move"
    page_title = gettext_lazy("移动机构")
    submit_button_label = gettext_lazy("移动")
    submit_button_active_label = gettext_lazy("正在移动…")
    success_message = gettext_lazy("已移动机构“%(object)s”。")
    error_message = gettext_lazy("机构未能移动，请检查下面标出的错误。")
    service_error_field = "new_parent"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            *self.unit_breadcrumbs(self.object),
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_url"] = reverse(self.move_url_name, args=(quote(self.object.pk),))
        context["moving_units"] = self.object.get_descendant_count()
        context["moving_people"] = Person.objects.filter(
            org_unit__path__startswith=self.object.path
        ).count()
        return context

    def save_instance(self):
        old_parent = self.object.get_parent()
        new_parent = self.form.cleaned_data["new_parent"]
        unit = org_unit_move(unit=self.object, new_parent=new_parent)
        log(
            instance=unit,
            action="organization.move",
            user=self.request.user,
            data={"old_parent": old_parent.name, "new_parent": new_parent.name},
        )
        return unit

    def get_success_url(self):
        return self.get_unit_index_url(self.object)


class OrgUnitDeleteView(UnitTreeMixin, ScopedObjectMixin, generic.DeleteView):
    """Only an empty leaf can go, and only for those with the delete permission (superusers):
    a unit that is closed down is deactivated, which keeps its people and history."""

    object_action = "delete"
    page_title = gettext_lazy("删除机构")
    success_message = gettext_lazy("已删除机构“%(object)s”。")

    @property
    def confirmation_message(self):
        return _("确定要删除机构“%(unit)s”吗？删除后不能恢复。") % {"unit": self.object.name}

    def get_success_url(self):
        return self.get_unit_index_url(self.object)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _("“%(unit)s”仍被其他记录引用，不能删除，请改为停用。")
                % {"unit": self.object.name},
            )
            return redirect(self.get_success_url())


class ScopedHistoryView(ScopedBaseObjectMixin, HistoryView):
    """A row's change log, with an edit button only where editing is allowed."""

    @cached_property
    def header_buttons(self):
        if not self.user_has_permission_for_instance("change", self.object):
            return []
        return super().header_buttons


class OrgUnitHistoryView(ScopedHistoryView):
    pass


# People


class ScopedUnitFilter(django_filters.Filter):
    """People of a unit of the user's subtree and of every unit below it."""

    field_class = ScopedUnitChoiceField

    @property
    def field(self):
        self.extra["user"] = self.parent.request.user
        return super().field

    def filter(self, qs, value):
        return qs if value is None else qs.filter(org_unit__path__startswith=value.path)


class PersonFilterSet(WagtailFilterSet):
    unit = ScopedUnitFilter(
        label=gettext_lazy("所属机构（含下级）"), empty_label=gettext_lazy("全部")
    )
    role = django_filters.ChoiceFilter(
        label=gettext_lazy("角色"),
        choices=Role.choices,
        method="filter_role",
        widget=forms.RadioSelect,
        empty_label=gettext_lazy("全部"),
    )

    class Meta:
        model = Person
        fields = ["channel", "is_active"]

    def filter_role(self, queryset, name, value):
        return queryset.filter(user__groups__name=value)


class PersonLinksMixin:
    edit_url_name = None
    history_url_name = None
    deactivate_url_name = None
    password_url_name = None

    def get_person_buttons(
        self, person: Person, *, leave_out: tuple[str, ...] = ()
    ) -> list[Button]:
        """Actions on a person the user may change, less those named in ``leave_out``."""
        actions = [
            ("edit", _("编辑"), self.edit_url_name, "edit"),
            ("password", _("设置密码"), self.password_url_name, "key"),
            ("deactivate", _("停用"), self.deactivate_url_name, "cross"),
            ("history", _("历史"), self.history_url_name, "history"),
        ]
        if not person.is_active or person.user_id == self.request.user.pk:
            leave_out = (*leave_out, "deactivate")
        return [
            Button(
                label,
                url=reverse(url_name, args=(quote(person.pk),)),
                icon_name=icon,
                priority=priority,
            )
            for priority, (key, label, url_name, icon) in enumerate(actions, start=1)
            if key not in leave_out
        ]


class PersonIndexView(PersonLinksMixin, generic.IndexView):
    page_title = gettext_lazy("人员")
    add_item_label = gettext_lazy("添加人员")

    def get_base_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, self.any_permission_required
        ).prefetch_related("user__groups")

    @cached_property
    def columns(self):
        field = Person._meta.get_field
        return [
            ActionsTitleColumn(
                "name",
                label=field("name").verbose_name,
                sort_key="name",
                get_url=self.get_edit_url,
                get_buttons=self.get_list_buttons,
            ),
            Column("employee_no", label=field("employee_no").verbose_name, sort_key="employee_no"),
            Column(
                "org_unit",
                accessor=lambda person: f"{person.org_unit.name}（{person.org_unit.code}）",
                label=field("org_unit").verbose_name,
            ),
            Column("channel", accessor="get_channel_display", label=field("channel").verbose_name),
            Column(
                "roles",
                accessor=lambda person: "、".join(str(label) for label in person.role_labels),
                label=_("角色"),
            ),
            Column("mobile", label=field("mobile").verbose_name),
            BooleanColumn("is_active", label=field("is_active").verbose_name),
        ]

    def get_edit_url(self, instance):
        if self.user_has_permission_for_instance("change", instance):
            return reverse(self.edit_url_name, args=(quote(instance.pk),))
        return None

    def get_list_more_buttons(self, instance):
        return self.get_person_buttons(instance)

    def get_add_url(self):
        url = super().get_add_url()
        unit = pk_from_query(self.request, "unit")
        return with_query(url, unit=unit) if url and unit else url


class PersonDeleteView(ScopedObjectMixin, generic.DeleteView):
    """Nobody deletes people (the policy allows no "delete"), so every row is a 404 here."""

    object_action = "delete"


class PersonCreateView(UserFormKwargsMixin, ServiceFormMixin, generic.CreateView):
    page_title = gettext_lazy("添加人员")
    success_message = gettext_lazy("已添加人员“%(object)s”。")
    error_message = gettext_lazy("人员未能保存，请检查下面标出的错误。")
    password_url_name = None

    def get_initial(self):
        unit = pk_from_query(self.request, "unit")
        return {"org_unit": unit} if unit else {}

    def save_instance(self):
        data = self.form.cleaned_data
        person = person_create(
            employee_no=data["employee_no"],
            name=data["name"],
            mobile=data["mobile"],
            email=data["email"],
            org_unit=data["org_unit"],
            channel=data["channel"],
            roles=data["roles"],
            hire_date=data["hire_date"],
        )
        log(instance=person, action="wagtail.create", user=self.request.user)
        return person

    def get_success_buttons(self):
        # New people cannot log in until they reset their password by e-mail or get one here.
        password_url = reverse(self.password_url_name, args=(quote(self.object.pk),))
        return [*super().get_success_buttons(), messages.button(password_url, _("设置密码"))]


class PersonEditView(
    PersonLinksMixin, ScopedObjectMixin, UserFormKwargsMixin, ServiceFormMixin, generic.EditView
):
    object_action = "change"
    page_title = gettext_lazy("编辑人员")
    success_message = gettext_lazy("已保存人员“%(object)s”。")
    error_message = gettext_lazy("人员未能保存，请检查下面标出的错误。")

    def get_header_more_buttons(self):
        buttons = self.get_person_buttons(self.object, leave_out=("edit", "history"))
        return sorted([*self.header_more_buttons, *buttons])

    def save_instance(self):
        data = self.form.cleaned_data
        # The form has written its values onto self.object; person_update needs the stored unit
        # to tell whether the person moved.
        person = Person.objects.select_related("org_unit", "user").get(pk=self.object.pk)
        person = person_update(
            person=person,
            name=data["name"],
            mobile=data["mobile"],
            email=data["email"],
            org_unit=data["org_unit"],
            channel=data["channel"],
            roles=data["roles"],
            hire_date=data["hire_date"],
            is_active=data["is_active"],
        )
        log(instance=person, action="wagtail.edit", user=self.request.user)
        return person


class PersonSetPasswordView(PersonLinksMixin, ScopedObjectMixin, generic.EditView):
    """Set a person's password, for imported people who have none and for the forgetful.

    It also lifts a lockout for failed logins on the account.
    """

    object_action = "change"
    page_title = gettext_lazy("设置密码")
    submit_button_label = gettext_lazy("设置密码")
    submit_button_active_label = gettext_lazy("正在设置…")
    success_message = gettext_lazy("已为“%(object)s”设置新密码，请通知本人登录后尽快修改。")
    error_message = gettext_lazy("密码未能设置，请检查下面标出的错误。")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_url"] = reverse(self.password_url_name, args=(quote(self.object.pk),))
        return context

    def save_instance(self):
        self.form.save()
        reset_failed_logins(username=self.object.user.get_username())
        log(instance=self.object, action="organization.set_password", user=self.request.user)
        return self.object


class PersonDeactivateView(
    PersonLinksMixin,
    ScopedBaseObjectMixin,
    BaseObjectMixin,
    PermissionCheckedMixin,
    WagtailAdminTemplateMixin,
    TemplateView,
):
    """Deactivate after a confirmation: the person can no longer log in, their records stay."""

    model = Person
    object_action = "change"
    permission_required = "change"
    index_url_name = None
    template_name = "organization/admin/person_deactivate.html"
    page_title = gettext_lazy("停用人员")
    header_icon = "user"

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": Person._meta.verbose_name_plural},
            {"url": "", "label": self.page_title, "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        context["action_url"] = reverse(self.deactivate_url_name, args=(quote(self.object.pk),))
        context["cancel_url"] = reverse(self.edit_url_name, args=(quote(self.object.pk),))
        return context

    def post(self, request, *args, **kwargs):
        person = self.object
        if person.user_id == request.user.pk:
            messages.error(request, _("不能停用自己的账号，请联系上级培训管理员。"))
            return redirect(self.edit_url_name, quote(person.pk))
        with transaction.atomic():
            person_deactivate(person=person)
            log(instance=person, action="organization.deactivate", user=request.user)
        messages.success(
            request, _("已停用“%(person)s”，其学习和考试记录仍然保留。") % {"person": person}
        )
        return redirect(self.index_url_name)


class PersonHistoryView(ScopedHistoryView):
    pass
