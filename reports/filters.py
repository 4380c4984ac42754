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

    # One place per kind of row for what each filter means; the company and the period are the
    # caller's (they apply to the counted unit or to a date of the caller's choosing).
    def rollup_q(self, *, course: bool = False, certification: bool = False) -> Q:
        """The filters on a rollup table's own keys: the channel (every rollup has one), the
        course and assignment (``course=True``: enrolment and completion rollups), the
        certification (``certification=True``: the certificate rollup)."""
        q = Q(channel=self.channel) if self.channel else Q()
        if course and self.course_id:
            q &= Q(course_id=self.course_id)
        if course and self.assignment_id:
            q &= Q(assignment_key=self.assignment_id)
        if certification and self.certification_id:
            q &= Q(certification_id=self.certification_id)
        return q

    def counted_unit_q(self, unit: OrgUnit) -> Q | None:
        """The rollup rows that count ``unit``'s subtree under the company filter: the unit's
        own; at the group (the only unit above the companies) filtered to a company, that
        company's own rows (its subtree is the intersection); None for a unit of another
        company."""
        if not self.company_id or unit.company_id == self.company_id:
            return Q(unit_id=unit.pk)
        if unit.company_id is not None:
            return None
        return Q(unit_id=self.company_id, unit__path__startswith=unit.path)

    def people_q(self) -> Q:
        """The filters selecting people (``Person``): company and channel."""
        q = Q(org_unit__company_id=self.company_id) if self.company_id else Q()
        if self.channel:
            q &= Q(channel=self.channel)
        return q

    def enrollments_q(self) -> Q:
        """The filters selecting a person's enrolments (``Enrollment``): course and assignment."""
        q = Q(course_id=self.course_id) if self.course_id else Q()
        if self.assignment_id:
            q &= Q(assignment_id=self.assignment_id)
        return q


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
