"""Admin forms: the course and meeting page forms, and the mandatory-assignment form."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm

from organization.models import Channel, OrgUnitKind, Role
from organization.scope import MANAGING_ROLES, units_in_scope

from .permissions import companies_user_may_edit


class CompanyLimitedPageForm(WagtailAdminPageForm):
    """A page form whose company field offers only the companies the editor may work for.

    A forged company outside that list fails validation, so nobody creates or moves a page into
    another company's hands.
    """

    company_field_name: str

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get(self.company_field_name)
        if field is None:
            return
        companies = companies_user_may_edit(self.for_user)
        field.queryset = companies
        if getattr(self.instance, f"{self.company_field_name}_id") is None:
            only = list(companies[:2])
            if len(only) == 1:
                # The model form's initial data already holds the empty field (None).
                self.initial[self.company_field_name] = only[0].pk


class CoursePageForm(CompanyLimitedPageForm):
    company_field_name = "owning_company"
    audience_channels = forms.MultipleChoiceField(
        label=_("受众渠道"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("哪些渠道的人员学习本课程。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "audience_channels" not in self.initial:
            self.initial["audience_channels"] = self.instance.audience_channels

    def save(self, commit=True):
        existing = {row.channel: row for row in self.instance.audience_channel_rows.all()}
        rows_model = self.instance.audience_channel_rows.model
        self.instance.audience_channel_rows = [
            existing.get(channel) or rows_model(channel=channel)
            for channel in self.cleaned_data["audience_channels"]
        ]
        return super().save(commit=commit)


class MorningMeetingPageForm(CompanyLimitedPageForm):
    company_field_name = "company"

    def clean_company(self):
        company = self.cleaned_data.get("company")
        person = getattr(self.for_user, "person", None)
        at_group = self.for_user.is_superuser or (
            person is not None and person.org_unit.kind == OrgUnitKind.GROUP
        )
        if company is None and not at_group:
            raise forms.ValidationError(_("请选择晨会所属的公司；全集团通用的晨会由集团发布。"))
        return company


class AssignmentForm(WagtailAdminModelForm):
    """The coordinator's form: the audience root offers only units in the coordinator's subtree."""

    channels = forms.MultipleChoiceField(
        label=_("渠道"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("不选表示所有渠道。"),
    )
    roles = forms.MultipleChoiceField(
        label=_("角色"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("不选表示所有角色。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience_root"].queryset = units_in_scope(
            self.for_user, roles=MANAGING_ROLES
        ).order_by("path")
        self.fields["course"].queryset = self.fields["course"].queryset.live().order_by("title")
        if self.instance.pk:
            # Another course is another assignment: enrolments point at this one.
            self.fields["course"].disabled = True
