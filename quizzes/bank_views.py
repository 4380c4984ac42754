"""Wagtail admin views of the question bank beyond the viewsets: the import wizard (upload →
preview → confirm, as ``organization.import_views`` does for people), the template download and
the export. URLs and menu items are registered in ``quizzes.wagtail_hooks``. Everyone here edits
some company's bank (``quizzes.rules``); each view acts only on those banks.
"""

from functools import wraps

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from .exporting import XLSX_TYPE, export_gift, export_xlsx, questions_for_export
from .importing import (
    check_upload,
    detect_format,
    imports_for,
    max_upload_bytes,
    question_import_run,
    question_import_start,
)
from .importing.spreadsheet import build_template
from .models import (
    ImportFormat,
    Question,
    QuestionCategory,
    QuestionImport,
    QuestionImportStatus,
)
from .rules import bank_companies, bank_company_ids, may_use_bank

RECENT_IMPORTS = 20
AUTO = "auto"


def bank_user_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_use_bank(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class BankMenuItem(MenuItem):
    def is_shown(self, request):
        return may_use_bank(request.user)


def _category_field(user, *, required: bool, label) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        label=label,
        required=required,
        queryset=QuestionCategory.objects.filter(company__in=bank_company_ids(user))
        .select_related("company")
        .order_by("company__path", "name"),
    )
    field.label_from_instance = lambda category: f"{category.company.name} / {category.name}"
    return field


class QuestionImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("题目文件"), allow_empty_file=True)
    format = forms.ChoiceField(
        label=gettext_lazy("格式"),
        choices=[(AUTO, gettext_lazy("按文件自动识别")), *ImportFormat.choices],
        initial=AUTO,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"] = _category_field(
            user, required=True, label=_("默认分类（也决定导入到哪家公司的题库）")
        )
        self.fields["category"].help_text = _(
            "表格中“分类”列为空的题目、Aiken 文件的全部题目，以及 GIFT 文件中"
            "“$CATEGORY:”之前的题目放入该分类。"
        )
        self.fields["file"].help_text = _(
            "表格（.xlsx，或 UTF-8 / GBK 编码的 .csv）、Moodle GIFT 或 Aiken 文本文件"
            "（.txt / .gift），不超过 %(limit)s。"
        ) % {"limit": filesizeformat(max_upload_bytes())}
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv,.txt,.gift"

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None:
            return data
        if data.get("format") == AUTO:
            head = upload.read(200_000)
            upload.seek(0)
            data["format"] = detect_format(name=upload.name, data=head)
        try:
            check_upload(name=upload.name, size=upload.size, format=data["format"])
        except ValidationError as error:
            self.add_error("file", error)
        return data


@bank_user_required
def import_index(request):
    """The upload form, the template link and the user's recent imports."""
    if request.method == "POST":
        form = QuestionImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                record, _plan = question_import_start(
                    file=form.cleaned_data["file"],
                    category=form.cleaned_data["category"],
                    format=form.cleaned_data["format"],
                    importer=request.user,
                    apply=False,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("question_import:detail", record.pk)
    else:
        form = QuestionImportForm(user=request.user)
    return TemplateResponse(
        request,
        "quizzes/admin/question_import_index.html",
        {"form": form, "imports": imports_for(request.user)[:RECENT_IMPORTS]},
    )


@bank_user_required
def import_detail(request, pk: int):
    """The preview of an upload (errors, or the new and already present questions), or what an
    applied import did."""
    record = get_object_or_404(imports_for(request.user), pk=pk)
    earlier = (
        QuestionImport.objects.filter(
            company_id=record.company_id,
            file_sha256=record.file_sha256,
            status=QuestionImportStatus.APPLIED,
            created_at__lt=record.created_at,
        )
        .order_by("-applied_at")
        .first()
    )
    return TemplateResponse(
        request,
        "quizzes/admin/question_import_detail.html",
        {
            "record": record,
            "earlier": earlier,
            "can_confirm": record.status == QuestionImportStatus.PREVIEWED,
        },
    )


@require_POST
@bank_user_required
def import_confirm(request, pk: int):
    """Check the stored file again and apply it, all questions or none."""
    record = get_object_or_404(imports_for(request.user), pk=pk)
    try:
        plan = question_import_run(record=record, importer=request.user, apply=True)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("question_import:detail", record.pk)
    if plan.errors:
        messages.error(
            request,
            _("重新检查时发现 %(count)s 处错误，没有做任何修改。请修改文件后重新上传。")
            % {"count": len(plan.errors)},
        )
    else:
        messages.success(
            request,
            _("导入完成：新增 %(created)s 道题，已存在而跳过 %(duplicates)s 道。")
            % {"created": len(plan.creates), "duplicates": len(plan.duplicates)},
        )
    return redirect("question_import:detail", record.pk)


@bank_user_required
def import_template(request):
    """The .xlsx template: headers, example rows and a sheet explaining each column."""
    response = HttpResponse(build_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("题目导入模板.xlsx")
    )
    return response


class ExportForm(forms.Form):
    XLSX, GIFT = "xlsx", "gift"

    format = forms.ChoiceField(
        label=gettext_lazy("格式"),
        choices=[
            (XLSX, gettext_lazy("Excel 表格（.xlsx，可按导入模板重新导入）")),
            (GIFT, "Moodle GIFT"),
        ],
        initial=XLSX,
        widget=forms.RadioSelect,
    )
    include_inactive = forms.BooleanField(label=gettext_lazy("包括已停用的题目"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"] = forms.ModelChoiceField(
            label=_("公司题库"), queryset=bank_companies(user).order_by("path")
        )
        self.fields["category"] = _category_field(
            user, required=False, label=_("分类（不选则导出整个题库）")
        )
        self.order_fields(["company", "category", "format", "include_inactive"])

    def clean(self):
        data = super().clean()
        company, category = data.get("company"), data.get("category")
        if company and category and category.company_id != company.pk:
            self.add_error("category", _("这个分类不属于所选公司的题库。"))
        return data


@bank_user_required
def export(request):
    """Download a company's bank, or one category of it, as .xlsx or GIFT."""
    form = ExportForm(request.GET or None, user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        questions = Question.objects.filter(company=data["company"])
        if data["category"]:
            questions = questions.filter(category=data["category"])
        if not data["include_inactive"]:
            questions = questions.filter(active=True)
        questions = questions_for_export(questions.order_by("category__name", "pk"))
        stamp = timezone.localtime().strftime("%Y%m%d")
        label = data["category"].name if data["category"] else data["company"].name
        if data["format"] == ExportForm.GIFT:
            response = HttpResponse(
                export_gift(questions), content_type="text/plain; charset=utf-8"
            )
            filename = f"{label}-{stamp}.gift.txt"
        else:
            response = HttpResponse(export_xlsx(questions), content_type=XLSX_TYPE)
            filename = f"{label}-{stamp}.xlsx"
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=filename
        )
        return response
    return TemplateResponse(request, "quizzes/admin/question_export.html", {"form": form})


import_urlpatterns = [
    path("", import_index, name="index"),
    path("template/", import_template, name="template"),
    path("<int:pk>/", import_detail, name="detail"),
    path("<int:pk>/confirm/", import_confirm, name="confirm"),
]
