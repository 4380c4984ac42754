"""The coordinators' admin forms: every unit, corps, plan item and lecturer offered is one the
coordinator may use (the services check again on save)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from courses.models import CoursePage
from organization.models import Channel, OrgUnitKind, Person
from organization.scope import MANAGING_ROLES, units_in_scope

from . import selectors
from .models import AssignmentRole, LecturerProfile


def unit_label(unit) -> str:
    """Units of different companies share names (广州第一支公司 of P&C, of life, of health), and a
    session's audience may lie in another company: name the company unless the unit's name does."""
    company = unit.company
    if company is None or unit.name.startswith(company.name):
        return unit.name
    return f"{unit.name}（{company.name}）"


class ScopedUnitsForm(WagtailAdminModelForm):
    """Limits the named org-unit fields to the user's managed subtree."""

    scoped_unit_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = units_in_scope(self.for_user, roles=MANAGING_ROLES).order_by("path")
        for name in self.scoped_unit_fields:
            if name in self.fields:
                self.fields[name].queryset = units


class CorpsForm(ScopedUnitsForm):
    scoped_unit_fields = ("owning_unit",)


class PlanForm(ScopedUnitsForm):
    scoped_unit_fields = ("org_unit",)


class LecturerProfileForm(WagtailAdminModelForm):
    """A new profile is for a lecturer of the subtree who has none; the person never changes.
    Corps offered are the active ones the coordinator manages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        person_field = self.fields["person"]
        if self.instance.pk:
            person_field.queryset = Person.objects.filter(pk=self.instance.person_id)
            person_field.disabled = True
        else:
            person_field.queryset = selectors.lecturer_people_without_profile(
                self.for_user
            ).select_related("org_unit")
        person_field.label_from_instance = lambda person: (
            f"{person.name}（{person.employee_no}，{person.org_unit.name}）"
        )
        self.fields["corps"].queryset = selectors.corps_in_scope(self.for_user).filter(
            is_active=True
        )


class SessionForm(WagtailAdminModelForm):
    channels = forms.MultipleChoiceField(
        label=_("渠道"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("不选表示所有渠道。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.fields["host_unit"].queryset = (
            units_in_scope(user, roles=MANAGING_ROLES).select_related("company").order_by("path")
        )
        self.fields["audience_root"].queryset = selectors.audience_units_for(user).select_related(
            "company"
        )
        for name in ("host_unit", "audience_root"):
            self.fields[name].label_from_instance = unit_label
        self.fields["course"].queryset = CoursePage.objects.live().order_by("title")
        self.fields["plan_item"].queryset = selectors.plan_items_in_scope(user)
        self.fields["plan_item"].label_from_instance = lambda item: f"{item.plan.title} · {item}"
        self.fields["product_company"].queryset = self.fields["product_company"].queryset.filter(
            kind=OrgUnitKind.COMPANY
        )


class LecturerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, profile: LecturerProfile) -> str:
        person = profile.person
        return f"{person.name}（{profile.get_level_display()}，{person.org_unit.name}）"


class AssignForm(forms.Form):
    lecturer = LecturerChoiceField(label=_("讲师"), queryset=LecturerProfile.objects.none())
    role = forms.ChoiceField(
        label=_("角色"),
        choices=AssignmentRole.choices,
        initial=AssignmentRole.LEAD,
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("我已了解上述提示，仍然指派"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, lecturers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lecturer"].queryset = lecturers.order_by("person__employee_no")

    def ask_confirmation(self) -> None:
        """Show the confirmation checkbox (after warnings)."""
        self.fields["confirm"].widget = forms.CheckboxInput()


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("取消原因"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("会通知讲师和已报名的人员。"),
    )
