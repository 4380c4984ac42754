"""The dashboard filters: one form for every report view, export and API call, so a value
outside the viewer's scope is refused in one place (the choices are cut to the scope)."""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.models import Assignment, CoursePage
from organization.models import Channel, OrgUnit, OrgUnitKind
from quizzes.models import Certification


@dataclass(frozen=True)
class Filters:
    company_id: int | None = None
    course_id: int | None = None
    certification_id: int | None = None
    channel: str = ""
    assignment_id: int | None = None
    # A period: completions and session attendance dated inside it (both ends included).
    date_from: date | None = None
    date_to: date | None = None

    @property
    def has_period(self) -> bool:
        return self.date_from is not None or self.date_to is not None


def _ancestor_paths(unit: OrgUnit) -> list[str]:
    return [unit.path[:end] for end in range(OrgUnit.steplen, len(unit.path), OrgUnit.steplen)]


class FilterForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("公司"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("全部")
    )
    course = forms.ModelChoiceField(
        label=_("课程"), queryset=CoursePage.objects.none(), required=False, empty_label=_("全部")
    )
    certification = forms.ModelChoiceField(
        label=_("资格认证"),
        queryset=Certification.objects.none(),
        required=False,
        empty_label=_("全部"),
    )
    channel = forms.ChoiceField(
        label=_("渠道"), choices=[("", _("全部")), *Channel.choices], required=False
    )
    assignment = forms.ModelChoiceField(
        label=_("必修指派"),
        queryset=Assignment.objects.none(),
        required=False,
        empty_label=_("全部"),
    )
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data=None, *, scope: OrgUnit):
        super().__init__(data)
        self.fields["company"].queryset = OrgUnit.objects.filter(kind=OrgUnitKind.COMPANY).filter(
            Q(path__startswith=scope.path) | Q(pk=scope.company_id)
        )
        self.fields["course"].queryset = CoursePage.objects.live().order_by("title")
        self.fields["certification"].queryset = Certification.objects.order_by("name")
        # Assignments made for the scope, inside it or above it (the group's mandatory training).
        self.fields["assignment"].queryset = (
            Assignment.objects.filter(
                Q(audience_root__path__startswith=scope.path)
                | Q(audience_root__path__in=_ancestor_paths(scope))
            )
            .select_related("course")
            .order_by("-created_at")
        )
        self.fields["assignment"].label_from_instance = lambda assignment: (
            f"{assignment.course.title}（{assignment.due_date:%Y-%m-%d}）"
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("截止日期不能早于起始日期。"))
        return data

    def filters(self) -> Filters:
        """The filters asked for; none when the form is invalid (the page shows its errors)."""
        if not self.is_valid():
            return Filters()
        data = self.cleaned_data

        def pk(name):
            return data[name].pk if data.get(name) else None

        return Filters(
            company_id=pk("company"),
            course_id=pk("course"),
            certification_id=pk("certification"),
            channel=data.get("channel") or "",
            assignment_id=pk("assignment"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
