"""Reading spreadsheets that people fill in, and reporting their mistakes, for every bulk import.

Generic on purpose: ``organization.people_import`` (people) and ``quizzes.importing`` (questions)
both read a table with Chinese headers from an .xlsx (openpyxl, read-only) or a .csv (UTF-8 with
or without BOM, or GBK/GB18030 as Chinese Excel saves it) and report errors as
"第 N 行“列”列：…". A column set is any sequence of objects with ``header``, ``field`` and
``header_required`` (``Column`` below has them).
"""

import codecs
import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

SPREADSHEET_SUFFIXES = (".xlsx", ".csv")


@dataclass(frozen=True)
class Column:
    header: str  # As written in the file: the file format is Chinese, so never translated.
    field: str
    header_required: bool  # The header row must name this column.
    value_required: bool  # Every data row must fill it in.
    note: str
    example: object


@dataclass
class SheetRow:
    number: int  # The row number a spreadsheet program shows (the header is row 1).
    cells: dict[str, object]  # Column field → raw cell value.


@dataclass(frozen=True)
class RowError:
    row: int | None  # None for a problem with the whole file.
    column: str
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        if not self.column:
            return _("第 %(row)s 行：%(message)s") % {"row": self.row, "message": self.message}
        return _("第 %(row)s 行“%(column)s”列：%(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


def normalize(value: object) -> str:
    """Cell text trimmed and NFKC-normalised; whole numbers lose the ``.0`` Excel gives them."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def check_spreadsheet_file(*, name: str, size: int, limit: int) -> None:
    """Refuse a file by its name and size, before anything is read or stored."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise ValidationError(
            _("不支持旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 格式后重新上传。")
        )
    if suffix not in SPREADSHEET_SUFFIXES:
        raise ValidationError(_("只能导入 .xlsx 或 .csv 文件，请使用导入模板。"))
    check_file_size(size=size, limit=limit)


def check_file_size(*, size: int, limit: int) -> None:
    if size == 0:
        raise ValidationError(_("文件是空的，请检查后重新上传。"))
    if size > limit:
        raise ValidationError(
            _("文件太大（%(size)s），不能超过 %(limit)s。请分成几个文件导入。")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def read_table(
    file: IO[bytes],
    *,
    name: str,
    columns: Sequence,
    no_header_message: str,
    no_rows_message: str,
) -> list[SheetRow]:
    """Every non-blank data row of ``file``, keyed by column field; ValidationError for a bad file.

    ``no_rows_message`` may use ``%(row)s`` (the header's row number).
    """
    suffix = Path(name).suffix.lower()
    lines = xlsx_lines(file) if suffix == ".xlsx" else csv_lines(file.read())
    header = next((line for line in lines if any(normalize(value) for value in line[1])), None)
    if header is None:
        raise ValidationError(no_header_message)
    header_number, header_values = header
    positions = column_positions(header_values, columns)
    rows = []
    for number, values in lines:
        cells = {
            key: values[index] if index < len(values) else None for key, index in positions.items()
        }
        if any(normalize(value) for value in cells.values()):
            rows.append(SheetRow(number=number, cells=cells))
    if not rows:
        raise ValidationError(no_rows_message % {"row": header_number})
    return rows


def xlsx_lines(file: IO[bytes]) -> Iterator[tuple[int, tuple]]:
    """(row number, cell values) of the first sheet."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise ValidationError(
            _("无法读取这个 Excel 文件，请确认它是 .xlsx 格式（可用 Excel 打开后另存为 .xlsx）。")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def decode_text(data: bytes, *, error_message: str | None = None) -> str:
    """Text from UTF-8 (with or without BOM) or GB18030 (the superset of GBK that Chinese
    Windows and Excel write); ValidationError (``error_message``) when it is neither."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as error:
            raise ValidationError(
                error_message
                or _("无法识别 CSV 文件的编码，请用 UTF-8 或 GBK 编码保存后重新上传。")
            ) from error


def csv_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell values) of a CSV file. Decoded lazily, so a bad file fails on reading,
    as an .xlsx does."""
    text = decode_text(data)
    yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)


def column_positions(header: Iterable, columns: Sequence) -> dict[str, int]:
    """Column field → index in the header row; ValidationError naming every header problem."""
    by_header = {column.header: column for column in columns}
    positions: dict[str, int] = {}
    unknown, repeated = [], []
    for index, value in enumerate(header):
        text = normalize(value)
        if not text:
            continue
        column = by_header.get(text)
        if column is None:
            unknown.append(text)
        elif column.field in positions:
            repeated.append(text)
        else:
            positions[column.field] = index
    problems = []
    missing = [c.header for c in columns if c.header_required and c.field not in positions]
    if missing:
        problems.append(
            _("表头缺少必填列：%(columns)s。请使用导入模板的表头。")
            % {"columns": "、".join(missing)}
        )
    if unknown:
        problems.append(
            _("表头中有无法识别的列：%(columns)s。可用的列：%(known)s。")
            % {"columns": "、".join(unknown), "known": "、".join(c.header for c in columns)}
        )
    if repeated:
        problems.append(_("表头中这些列重复出现：%(columns)s。") % {"columns": "、".join(repeated)})
    if problems:
        raise ValidationError(problems)
    return positions
