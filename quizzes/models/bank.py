"""The question bank: categories and questions owned by a company.

A lecturer edits only their own company's bank (``quizzes.rules``); a coordinator edits the banks of
the companies in scope. A question's ``fingerprint`` is the hash of what it asks and what it accepts
(kind, stem text, choices with their keys, accepted answers), unique per company: importing the same
file twice, or exporting and importing back, adds nothing.
"""

import hashlib
import json
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.fields import RichTextField
from wagtail.images import get_image_model_string

from organization.models import OrgUnitKind

from ..normalise import html_to_text, normalise_answer, normalise_text

COMPANY_CHOICES = {"kind": OrgUnitKind.COMPANY}
STEM_FEATURES = ["bold", "italic", "ol", "ul", "link", "image", "superscript", "subscript"]


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    TRUE_FALSE = "true_false", _("判断题")
    FILL_BLANK = "fill_blank", _("填空题")


class Difficulty(models.IntegerChoices):
    EASY = 1, _("容易")
    MEDIUM = 2, _("中等")
    HARD = 3, _("困难")


class QuestionCategory(models.Model):
    company = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("所属公司"),
        on_delete=models.PROTECT,
        limit_choices_to=COMPANY_CHOICES,
        related_name="question_categories",
    )
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("题目分类")
        verbose_name_plural = _("题目分类")
        ordering = ["company_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name"], name="quizzes_category_unique_name_per_company"
            )
        ]

    def __str__(self):
        return self.name


class QuestionTag(TaggedItemBase):
    content_object = ParentalKey(
        "quizzes.Question", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("题目标签")
        verbose_name_plural = _("题目标签")


class Question(ClusterableModel):
    category = models.ForeignKey(
        QuestionCategory,
        verbose_name=_("分类"),
        on_delete=models.PROTECT,
        related_name="questions",
    )
    # Copied from the category on save: permission checks and the fingerprint filter by it.
    company = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("所属公司"),
        on_delete=models.PROTECT,
        related_name="questions",
        editable=False,
    )
    kind = models.CharField(_("题型"), max_length=16, choices=QuestionKind.choices)
    stem = RichTextField(_("题干"), features=STEM_FEATURES)
    image = models.ForeignKey(
        get_image_model_string(),
        verbose_name=_("图片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    explanation = models.TextField(_("解析"), blank=True)
    difficulty = models.PositiveSmallIntegerField(
        _("难度"), choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    tags = ClusterTaggableManager(
        verbose_name=_("主题/产品标签"), through=QuestionTag, blank=True, related_name="questions"
    )
    accepted_answers = models.JSONField(
        _("参考答案"),
        default=list,
        blank=True,
        help_text=_("填空题可接受的答案，每行一个；比较时不区分全角半角、忽略空白。"),
    )
    is_true = models.BooleanField(_("正确"), null=True, blank=True)
    fingerprint = models.CharField(_("指纹"), max_length=64, editable=False)
    active = models.BooleanField(
        _("启用"), default=True, help_text=_("停用的题目不再被抽取，已有的考试记录不受影响。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["category_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "fingerprint"], name="quizzes_question_unique_fingerprint"
            )
        ]
        indexes = [models.Index(fields=["category", "active", "difficulty"])]

    def __str__(self):
        text = self.stem_text
        return text if len(text) <= 40 else text[:40] + "…"

    @property
    def stem_text(self) -> str:
        return normalise_text(html_to_text(self.stem))

    def choice_list(self) -> list["Choice"]:
        return sorted(self.choices.all(), key=lambda choice: (choice.sort_order, choice.pk or 0))

    def compute_fingerprint(self) -> str:
        return question_fingerprint(
            kind=self.kind,
            stem=self.stem,
            choices=[(choice.text, choice.is_correct) for choice in self.choice_list()],
            accepted_answers=self.accepted_answers,
            is_true=self.is_true,
        )

    def clean(self):
        # The choices are checked where they are known: the admin form (its inline formset) and
        # the services; here, unsaved children may not be visible yet.
        errors = question_key_errors(
            kind=self.kind,
            choices=None,
            accepted_answers=self.accepted_answers,
            is_true=self.is_true,
        )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.category_id:
            self.company_id = self.category.company_id
        self.fingerprint = self.compute_fingerprint()
        super().save(*args, **kwargs)


class Choice(models.Model):
    question = ParentalKey(
        Question, verbose_name=_("题目"), on_delete=models.CASCADE, related_name="choices"
    )
    text = models.CharField(_("选项内容"), max_length=500)
    is_correct = models.BooleanField(_("正确答案"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("顺序"), default=0, editable=False)

    sort_order_field = "sort_order"  # The admin's inline panel orders choices by it.

    class Meta:
        verbose_name = _("选项")
        verbose_name_plural = _("选项")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.text


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


def question_key_errors(*, kind, choices, accepted_answers, is_true) -> dict[str, list[str]]:
    """What is wrong with a question's answer key, by field; empty when it is sound.

    ``choices`` is a list of (text, is_correct), or None to skip the checks on choices. Shared by
    the admin form, the model, the services and the importers, so every way into the bank
    enforces the same rules.
    """
    errors: dict[str, list[str]] = {}

    def add(field_name, message):
        errors.setdefault(field_name, []).append(message)

    if choices is not None:
        texts = [normalise_text(text) for text, _correct in choices]
        correct = sum(1 for _text, is_correct in choices if is_correct)
        if kind in CHOICE_KINDS:
            if len(choices) < 2:
                add("__all__", _("选择题至少需要两个选项。"))
            if any(not text for text in texts):
                add("__all__", _("选项内容不能为空。"))
            elif len(set(texts)) != len(texts):
                add("__all__", _("选项内容不能重复。"))
            if kind == QuestionKind.SINGLE and correct != 1:
                add(
                    "__all__",
                    _("单选题必须恰好有一个正确选项（现有 %(count)d 个）。") % {"count": correct},
                )
            if kind == QuestionKind.MULTIPLE and correct < 1:
                add("__all__", _("多选题至少需要一个正确选项。"))
        elif choices:
            add("__all__", _("只有单选题和多选题可以设置选项。"))
    if kind == QuestionKind.TRUE_FALSE and is_true is None:
        add("is_true", _("判断题必须指明题述正确还是错误。"))
    if kind != QuestionKind.TRUE_FALSE and is_true is not None:
        add("is_true", _("只有判断题需要指明正确或错误。"))
    answers = [normalise_answer(answer) for answer in accepted_answers or []]
    if kind == QuestionKind.FILL_BLANK:
        if not any(answers):
            add("accepted_answers", _("填空题至少需要一个参考答案。"))
        elif not all(answers):
            add("accepted_answers", _("参考答案不能为空。"))
        elif any("|" in answer for answer in answers):
            add(
                "accepted_answers",
                _("参考答案中不能有“|”：导入表格用它分隔多个答案。"),
            )
    elif answers:
        add("accepted_answers", _("只有填空题需要参考答案。"))
    return errors


def question_fingerprint(*, kind, stem, choices, accepted_answers, is_true) -> str:
    """SHA-256 of the question's normalised content; the choices' order does not count."""
    content = {
        "kind": str(kind),
        "stem": normalise_text(html_to_text(stem)),
        "choices": sorted([normalise_text(text), bool(correct)] for text, correct in choices),
        "answers": sorted({normalise_answer(answer) for answer in accepted_answers or []}),
        "is_true": is_true,
    }
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()


def question_import_upload_to(instance: "QuestionImport", filename: str) -> str:
    """An unguessable name: media may be public, and a bank's answers are not."""
    suffix = Path(filename).suffix.lower()
    return f"question_imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ImportFormat(models.TextChoices):
    SPREADSHEET = "spreadsheet", _("表格（.xlsx / .csv）")
    GIFT = "gift", _("Moodle GIFT")
    AIKEN = "aiken", _("Aiken")


class QuestionImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("待确认")
    APPLIED = "applied", _("已导入")
    FAILED = "failed", _("有错误，未导入")


class QuestionImport(models.Model):
    """One uploaded question file and what became of it: the audit trail of bank imports.

    The file is kept, so the confirm step re-reads and re-checks exactly what was previewed.
    """

    company = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("所属公司"),
        on_delete=models.PROTECT,
        related_name="question_imports",
    )
    category = models.ForeignKey(
        QuestionCategory,
        verbose_name=_("默认分类"),
        on_delete=models.PROTECT,
        related_name="imports",
    )
    format = models.CharField(_("格式"), max_length=16, choices=ImportFormat.choices)
    file = models.FileField(_("文件"), upload_to=question_import_upload_to, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    file_sha256 = models.CharField(_("文件校验值"), max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="question_imports",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=QuestionImportStatus.choices,
        default=QuestionImportStatus.PREVIEWED,
    )
    question_count = models.PositiveIntegerField(_("题目数"), default=0)
    created_count = models.PositiveIntegerField(_("新增题数"), default=0)
    duplicate_count = models.PositiveIntegerField(_("已存在题数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    # The first errors and planned questions, as the preview page shows them (capped).
    errors = models.JSONField(_("错误"), default=list, blank=True)
    preview = models.JSONField(_("预览"), default=list, blank=True)
    new_categories = models.JSONField(_("新建分类"), default=list, blank=True)

    class Meta:
        verbose_name = _("题目导入")
        verbose_name_plural = _("题目导入")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.original_name}（{self.created_at:%Y-%m-%d %H:%M}）"
