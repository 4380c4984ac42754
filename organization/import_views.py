"""The Wagtail admin wizard for bulk imports of people: upload → preview → confirm.

The views check permission, call ``organization.people_import`` and render; the URLs and the menu
item are registered in ``wagtail_hooks``. Only coordinators (for their subtree) and superusers
get in; Wagtail turns the PermissionDenied raised for anyone else into a redirect with a message.
"""

from functools import wraps

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from .models import PeopleImportStatus
from .people_import import (
    build_template,
    can_import_people,
    check_file,
    imports_for,
    people_import_run,
    people_import_start,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_IMPORTS = 20


class PeopleImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("人员表格"), allow_empty_file=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Excel（.xlsx）或 CSV（UTF-8 或 GBK 编码）文件，不超过 %(limit)s。"
        ) % {"limit": filesizeformat(settings.PEOPLE_IMPORT_MAX_BYTES)}
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_file(name=upload.name, size=upload.size)
        return upload


class PeopleImportMenuItem(MenuItem):
    def is_shown(self, request):
        return can_import_people(request.user)


def importer_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_import_people(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@importer_required
def index(request):
    """The upload form, the template link and the user's recent imports."""
    if request.method == "POST":
        form = PeopleImportForm(request.POST, request.FILES)
        if form.is_valid():
            record, _plan = people_import_start(
                file=form.cleaned_data["file"], importer=request.user, apply=False
            )
            return redirect("people_import:detail", record.pk)
    else:
        form = PeopleImportForm()
    return TemplateResponse(
        request,
        "organization/admin/people_import_index.html",
        {"form": form, "imports": imports_for(request.user)[:RECENT_IMPORTS]},
    )


@importer_required
def detail(request, pk: int):
    """The preview of an upload (errors or planned changes), or what an applied import did."""
    record = get_object_or_404(imports_for(request.user), pk=pk)
    return TemplateResponse(
        request,
        "organization/admin/people_import_detail.html",
        {"record": record, "can_confirm": record.status == PeopleImportStatus.PREVIEWED},
    )


@require_POST
@importer_required
def confirm(request, pk: int):
    """Check the stored file again and apply it, all rows or none."""
    record = get_object_or_404(imports_for(request.user), pk=pk)
    try:
        plan = people_import_run(record=record, importer=request.user, apply=True)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("people_import:detail", record.pk)
    if plan.errors:
        messages.error(
            request,
            _("重新检查时发现 %(count)s 处错误，没有做任何修改。请修改文件后重新上传。")
            % {"count": len(plan.errors)},
        )
    else:
        messages.success(
            request,
            _("导入完成：新增 %(created)s 人，更新 %(updated)s 人，无变化 %(unchanged)s 人。")
            % {
                "created": len(plan.creates),
                "updated": len(plan.updates),
                "unchanged": plan.unchanged_count,
            },
        )
    return redirect("people_import:detail", record.pk)


@importer_required
def template(request):
    """The .xlsx template: headers, an example row and a sheet explaining each column."""
    response = HttpResponse(build_template(importer=request.user), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("人员导入模板.xlsx")
    )
    return response


urlpatterns = [
    path("", index, name="index"),
    path("template/", template, name="template"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/confirm/", confirm, name="confirm"),
]
