"""The one export mechanism of every report table: .xlsx or .csv, memory flat whatever the size.

How a report view offers its table for download (the page's own URL plus ``&format=xlsx``, so
the export has exactly the page's scope checks and filters)::

    from reports.exports import export_format, export_response, invalid_filters_response

    def my_report(request):
        scope = report_scope(request)                    # 403 without a report scope
        unit = unit_in_scope(request, scope)             # 404 outside it
        form = FilterForm(request.GET or None, scope=scope)
        fmt = export_format(request)                     # None, "xlsx" or "csv"; else 404
        if fmt:
            if error := invalid_filters_response(form):  # never export unfiltered by mistake
                return error
            return export_response(
                fmt=fmt,
                filename=f"{unit.name}-课程进度",          # no suffix: added per format
                headers=[_("机构"), _("选课"), ...],
                rows=((row.name, row.enrolled, ...) for row in rows),
            )
        ...render the page...

and in its template ``{% include "reports/includes/export_links.html" %}`` (links "导出 Excel" /
"导出 CSV" to the current URL with the current query string and ``format=``; pass
``export_url=<path>``, e.g. from ``{% url "…" as path %}``, to point them at another view: the
current query string is appended to it).

``export_response(*, fmt, filename, headers, rows, sheet_title="")``

- ``rows`` is any iterable of sequences, consumed once: pass a generator over
  ``queryset.iterator(chunk_size=…)`` (or ``values_list``) for big tables, never a list of all
  rows. Cell values: ``str``, ``int``, ``float``, ``Decimal``, ``date``/``datetime`` (naive, local
  time) or ``None`` (empty cell). Numbers stay numbers in the workbook (Excel can sum them).
- **csv**: a ``StreamingHttpResponse`` yielding the UTF-8 BOM (so Excel in Chinese Windows opens
  it as UTF-8, not GBK) then the rows through ``csv.writer`` in chunks of ``CSV_CHUNK_ROWS``; the
  database is read while the client downloads.
- **xlsx**: an openpyxl *write-only* workbook (rows go straight to openpyxl's temporary XML file,
  never held in memory) saved into an anonymous temporary file, then sent by a ``FileResponse``
  in blocks; the file is closed — and so deleted by the OS — when the response is closed. Its
  size is known, so the response has a Content-Length.
- The file name: ``filename`` + ``.xlsx`` / ``.csv`` in ``Content-Disposition: attachment``,
  with RFC 5987 ``filename*=UTF-8''…`` for Chinese names (``content_disposition_header``).

Spreadsheet formula injection (a person named ``=HYPERLINK(…)`` typed in by a trainee): in csv a
text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
apostrophe, so Excel shows it as text; in xlsx such a cell is written as an inline *string*
(openpyxl would otherwise store ``=…`` as a formula), so it is never evaluated and keeps its text.
Numbers are never touched (``-3`` stays a number).

``export_format(request)``: ``?format=`` — ``None`` when absent, ``"xlsx"`` or ``"csv"``; any
other value is a 404 (like an unknown URL). ``invalid_filters_response(form)``: a 400 with the
form's errors in Chinese when a filter is invalid (a company outside the scope, …), else None —
the page shows such errors and ignores the filter, an export must not silently do the same.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from django.forms import Form
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
CSV_CHUNK_ROWS = 500
FILE_BLOCK_SIZE = 64 * 1024
# Text a spreadsheet program would read as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def export_format(request) -> str | None:
    """The export format asked for by ``?format=``, None for the page itself."""
    value = request.GET.get("format", "")
    if not value:
        return None
    if value not in FORMATS:
        raise Http404
    return value


def invalid_filters_response(form: Form) -> HttpResponseBadRequest | None:
    """A 400 listing the filter errors, or None when the filters are valid: an export must not
    silently drop a filter the page would show as wrong (e.g. a company outside the scope)."""
    if not form.is_bound or form.is_valid():
        return None
    errors = "；".join(str(error) for errors in form.errors.values() for error in errors)
    # Plain text: only a hand-edited link gets here (the page's own links carry valid filters).
    return HttpResponseBadRequest(
        _("筛选条件有误，未导出：%(errors)s") % {"errors": errors},
        content_type="text/plain; charset=utf-8",
    )


def export_response(
    *,
    fmt: str,
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    sheet_title: str = "",
):
    """The table as a download (see the module docstring)."""
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_chunks(headers, rows), content_type=CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
        return response
    if fmt == "xlsx":
        file = _xlsx_file(headers, rows, sheet_title or _("报表"))
        response = FileResponse(
            file,
            as_attachment=True,
            filename=f"{filename}.xlsx",
            content_type=CONTENT_TYPES[fmt],
        )
        response.block_size = FILE_BLOCK_SIZE
        return response
    raise ValueError(f"unknown export format {fmt!r}")


class _Line:
    """What ``csv.writer`` writes to: hands back the line instead of buffering it."""

    def write(self, value: str) -> str:
        return value


def _csv_text(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_chunks(headers: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    yield ("\ufeff" + writer.writerow([str(header) for header in headers])).encode()
    rows = iter(rows)
    while chunk := list(islice(rows, CSV_CHUNK_ROWS)):
        yield "".join(writer.writerow([_csv_text(v) for v in row]) for row in chunk).encode()


def _xlsx_value(sheet, value):
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith("=") or value in ERROR_CODES:
        # Written as text: openpyxl would store "=…" as a formula and "#N/A" as an error.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _xlsx_file(headers: Sequence[str], rows: Iterable[Sequence], title: str):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, header in enumerate(headers, start=1):
        # Room for a Chinese header (two widths per character) or a number.
        sheet.column_dimensions[get_column_letter(index)].width = max(10, 2 * len(str(header)) + 2)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    try:
        workbook.save(file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return file
