"""The question bank's admin forms: the company and category pickers offer only the user's banks,
and a question's answer key is checked as a whole (the question and its inline choices) with the
same rules as every import (``question_key_errors``)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from .models import Question, QuestionCategory, question_fingerprint, question_key_errors
from .rules import bank_companies, bank_company_ids


class TrueFalseWidget(forms.RadioSelect):
    """正确 / 错误 / not a true-false question, for a nullable boolean."""

    def __init__(self, attrs=None):
        choices = (
            ("unknown", gettext_lazy("不适用（非判断题）")),
            ("true", gettext_lazy("正确")),
            ("false", gettext_lazy("错误")),
        )
        super().__init__(attrs, choices)

    def format_value(self, value):
        return {True: ["true"], False: ["false"], "true": ["true"], "false": ["false"]}.get(
            value, ["unknown"]
        )

    def value_from_datadict(self, data, files, name):
        return {"true": True, "false": False}.get(data.get(name))


class QuestionCategoryForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None and "company" in self.fields:
            self.fields["company"].queryset = bank_companies(self.for_user)


class QuestionForm(WagtailAdminModelForm):
    accepted_answers = forms.CharField(
        label=gettext_lazy("参考答案（填空题）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("每行一个可接受的答案；判分时不区分全角半角、忽略空白。"),
    )
    is_true = forms.NullBooleanField(
        label=gettext_lazy("判断题答案"), required=False, widget=TrueFalseWidget()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["category"].queryset = QuestionCategory.objects.filter(
                company__in=bank_company_ids(self.for_user)
            ).select_related("company")
            self.fields["category"].label_from_instance = lambda category: (
                f"{category.company.name} / {category.name}"
            )
        if self.instance.pk and not self.is_bound:
            self.initial["accepted_answers"] = "\n".join(self.instance.accepted_answers)

    def clean_accepted_answers(self):
        text = self.cleaned_data.get("accepted_answers") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def _choices(self) -> list[tuple[str, bool]]:
        formset = self.formsets.get("choices")
        if formset is None:
            return []
        choices = []
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            choices.append((data.get("text", ""), bool(data.get("is_correct"))))
        return choices

    def is_valid(self):
        valid = super().is_valid()
        if not valid:
            return False
        data = self.cleaned_data
        choices = self._choices()
        errors = question_key_errors(
            kind=data["kind"],
            choices=choices,
            accepted_answers=data["accepted_answers"],
            is_true=data.get("is_true"),
        )
        for field_name, messages in errors.items():
            for message in messages:
                self.add_error(None if field_name == "__all__" else field_name, message)
        if errors:
            return False
        fingerprint = question_fingerprint(
            kind=data["kind"],
            stem=data["stem"],
            choices=choices,
            accepted_answers=data["accepted_answers"],
            is_true=data.get("is_true"),
        )
        same = Question.objects.filter(
            company_id=data["category"].company_id, fingerprint=fingerprint
        ).exclude(pk=self.instance.pk)
        if same.exists():
            self.add_error(None, _("题库中已有相同的题目（题型、题干、选项和答案都相同）。"))
            return False
        return True
