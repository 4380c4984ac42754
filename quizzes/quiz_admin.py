"""Admin of quizzes (Q2): the quiz viewset, per-quiz statistics with the .xlsx export, results,
and the manual regrade of a question. Registered in ``quizzes.wagtail_hooks``.

A quiz belongs to a company's bank: the users who edit that bank (``quizzes.rules``) edit its
quizzes, read their statistics and regrade its questions; nobody else sees them.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.permission_policies import ModelPermissionPolicy

from courses.models import CoursePage
from organization.models import Channel, OrgUnit

from .bank_views import BankMenuItem
from .models import Question, QuestionCategory, Quiz, RegradeLog
from .rules import bank_companies, bank_company_ids, can_edit_bank, may_use_bank
from .selectors import attempts_for_quiz
from .services import question_regrade
from .statistics import quiz_statistics, statistics_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESULTS_LIMIT = 500


class QuizPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return super().user_has_permission(user, action) and may_use_bank(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and can_edit_bank(user, instance.company_id)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Quiz.objects.none()
        return Quiz.objects.filter(company_id__in=bank_company_ids(user))


class QuizForm(WagtailAdminModelForm):
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("渠道"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("不选表示所有渠道。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is None:
            return
        self.fields["company"].queryset = bank_companies(self.for_user)
        self.fields["course"].queryset = CoursePage.objects.live().order_by("title")
        self.fields["audience_root"].queryset = OrgUnit.objects.order_by("path")
        company_ids = bank_company_ids(self.for_user)
        self._limit_formset(
            "fixed_questions",
            "question",
            Question.objects.filter(company_id__in=company_ids).select_related("company"),
        )
        self._limit_formset(
            "random_rules",
            "category",
            QuestionCategory.objects.filter(company_id__in=company_ids).select_related("company"),
        )

    def _limit_formset(self, name: str, field: str, queryset) -> None:
        """Offer only the user's banks in an inline's select, in its forms and in the empty form
        the page copies when a row is added (a subclass for this form only)."""
        formset = self.formsets[name]
        base = formset.form

        class LimitedForm(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields[field].queryset = queryset

        formset.form = LimitedForm
        for form in formset.forms:
            form.fields[field].queryset = queryset

    def clean(self):
        cleaned = super().clean()
        company = cleaned.get("company")
        if company is None:
            return cleaned
        for form in self.formsets["fixed_questions"].forms:
            question = form.cleaned_data.get("question") if hasattr(form, "cleaned_data") else None
            if question is not None and question.company_id != company.pk:
                form.add_error("question", _("只能使用本公司题库中的题目。"))
        for form in self.formsets["random_rules"].forms:
            category = form.cleaned_data.get("category") if hasattr(form, "cleaned_data") else None
            if category is not None and category.company_id != company.pk:
                form.add_error("category", _("只能从本公司题库的分类中抽题。"))
        return cleaned


class QuizObjectMixin:
    def get_object(self, *args, **kwargs):
        quiz = super().get_object(*args, **kwargs)
        if not can_edit_bank(self.request.user, quiz.company_id):
            raise PermissionDenied
        return quiz


class QuizIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            Quiz.objects.filter(company_id__in=bank_company_ids(self.request.user))
            .select_related("company", "course")
            .order_by("company_id", "title")
        )

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        buttons.append(
            Button(
                _("统计"),
                url=reverse("quiz_statistics", args=[instance.pk]),
                icon_name="table",
                priority=5,
            )
        )
        return buttons


class QuizEditView(QuizObjectMixin, generic.EditView):
    def get_header_more_buttons(self):
        buttons = list(super().get_header_more_buttons())
        buttons.append(
            Button(
                _("统计"), url=reverse("quiz_statistics", args=[self.object.pk]), icon_name="table"
            )
        )
        return buttons


class QuizDeleteView(QuizObjectMixin, generic.DeleteView):
    def form_valid(self, form):
        if self.object.attempts.exists():
            messages.error(self.request, _("这场考试已有答题记录，不能删除；可以取消“已发布”。"))
            return redirect(self.edit_url_name, self.object.pk)
        return super().form_valid(form)


class QuizHistoryView(QuizObjectMixin, HistoryView):
    pass


class QuizViewSet(ModelViewSet):
    model = Quiz
    name = "quiz_admin"
    url_prefix = "quizzes/quizzes"
    icon = "tasks"
    menu_label = gettext_lazy("考试")
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    search_backend_name = None
    list_display = ["title", "company", "course", "published", "pass_percent", "updated_at"]
    list_filter = ["published"]
    search_fields = ["title"]
    index_view_class = QuizIndexView
    edit_view_class = QuizEditView
    delete_view_class = QuizDeleteView
    history_view_class = QuizHistoryView
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("description"),
            FieldPanel("company"),
            FieldPanel("course"),
            MultiFieldPanel(
                [
                    FieldPanel("time_limit_minutes"),
                    FieldPanel("pass_percent"),
                    FieldPanel("attempts_allowed"),
                    FieldPanel("wait_minutes"),
                    FieldPanel("opens_at"),
                    FieldPanel("closes_at"),
                ],
                heading=gettext_lazy("规则"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("audience_root"),
                    FieldPanel("audience_companies", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("channels"),
                ],
                heading=gettext_lazy("考生范围"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("shuffle_questions"),
                    FieldPanel("shuffle_choices"),
                    FieldPanel("multiple_scoring"),
                    FieldPanel("review_policy"),
                ],
                heading=gettext_lazy("出题与评分"),
            ),
            InlinePanel(
                "fixed_questions",
                heading=gettext_lazy("固定题目"),
                label=gettext_lazy("题目"),
                panels=[FieldPanel("question"), FieldPanel("points")],
            ),
            InlinePanel(
                "random_rules",
                heading=gettext_lazy("随机抽题"),
                label=gettext_lazy("规则"),
                panels=[
                    FieldPanel("category"),
                    FieldPanel("difficulty"),
                    FieldPanel("count"),
                    FieldPanel("points"),
                ],
            ),
            FieldPanel("published"),
        ],
        base_form_class=QuizForm,
    )

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(usage_url_name=None, **kwargs)

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns() if pattern.name != "usage"]


def _quiz_for(request, quiz_id: int) -> Quiz:
    quiz = get_object_or_404(Quiz.objects.select_related("company", "course"), pk=quiz_id)
    if not can_edit_bank(request.user, quiz.company_id):
        raise PermissionDenied
    return quiz


def quiz_statistics_view(request, quiz_id: int):
    """Score distribution, pass rate, per-question facility and discrimination, option counts."""
    quiz = _quiz_for(request, quiz_id)
    first_only = request.GET.get("attempts") == "first"
    stats = quiz_statistics(quiz=quiz, first_attempts_only=first_only)
    top = max((count for _label, count in stats.bands), default=0)
    return TemplateResponse(
        request,
        "quizzes/admin/statistics.html",
        {
            "quiz": quiz,
            "stats": stats,
            "first_only": first_only,
            "band_scale": top,
            "results": attempts_for_quiz(quiz=quiz)[:RESULTS_LIMIT],
            "regrades": RegradeLog.objects.filter(
                question__in=[q.question_id for q in stats.questions]
            )
            .select_related("question", "user")
            .order_by("-created_at")[:20],
        },
    )


def quiz_statistics_export(request, quiz_id: int):
    quiz = _quiz_for(request, quiz_id)
    stats = quiz_statistics(quiz=quiz, first_attempts_only=request.GET.get("attempts") == "first")
    response = HttpResponse(statistics_xlsx(stats), content_type=XLSX_TYPE)
    filename = _("考试统计-%(title)s-%(date)s.xlsx") % {
        "title": quiz.title,
        "date": timezone.localdate().isoformat(),
    }
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class RegradeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("原因"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("例如：原答案有误，已在题库中更正为 B。"),
    )
    only_this_quiz = forms.BooleanField(
        label=gettext_lazy("只重评本场考试"),
        required=False,
        initial=True,
        help_text=gettext_lazy("不勾选则重评所有用过这道题的考试。"),
    )


def question_regrade_view(request, quiz_id: int, question_id: int):
    """Regrade one question with its current key in the bank: attempts, course completion and
    certificates follow; the log shows who did it, why and what changed."""
    quiz = _quiz_for(request, quiz_id)
    question = get_object_or_404(Question, pk=question_id)
    if not can_edit_bank(request.user, question.company_id):
        raise PermissionDenied
    form = RegradeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            log = question_regrade(
                question=question,
                user=request.user,
                reason=form.cleaned_data["reason"],
                quiz=quiz if form.cleaned_data["only_this_quiz"] else None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("已重新评分 %(regraded)d 份答卷，其中 %(changed)d 份成绩有变化。")
                % {"regraded": log.attempts_regraded, "changed": log.attempts_changed},
            )
            return redirect("quiz_statistics", quiz.pk)
    return TemplateResponse(
        request,
        "quizzes/admin/regrade.html",
        {"quiz": quiz, "question": question, "form": form},
    )


def quiz_menu_item() -> BankMenuItem:
    return BankMenuItem(
        _("考试"), reverse("quiz_admin:index"), name="quizzes", icon_name="tasks", order=90
    )


def admin_urlpatterns():
    return [
        path("quizzes/statistics/<int:quiz_id>/", quiz_statistics_view, name="quiz_statistics"),
        path(
            "quizzes/statistics/<int:quiz_id>/export/",
            quiz_statistics_export,
            name="quiz_statistics_export",
        ),
        path(
            "quizzes/statistics/<int:quiz_id>/regrade/<int:question_id>/",
            question_regrade_view,
            name="question_regrade",
        ),
    ]
