"""The PDF certificate: Chinese text that pdftotext reads back, a QR code, a clear font error."""

import subprocess
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from quizzes.checks import certificate_font_installed
from quizzes.pdf import CertificateSheet, render_certificate_pdf

SHEET = CertificateSheet(
    issuer="中国人保集团",
    holder_name="欧阳晓明",
    holder_company="人保财险",
    certification_name="产代寿交叉销售资格",
    product_company="人保寿险",
    issued_on=date(2025, 5, 1),
    expires_on=date(2027, 5, 1),
    serial="CDS-2025-000042",
    verification_code="ABCD-EFGH-JKMN-PQRS-TVWX",
    verify_url="https://training.example.com/verify/ABCDEFGHJKMNPQRSTVWX/",
)


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_pdf_states_holder_certification_dates_and_serial_in_chinese(tmp_path):
    data = render_certificate_pdf(SHEET)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    for expected in (
        "资格证书",
        "欧阳晓明",
        "产代寿交叉销售资格",
        "人保寿险",
        "CDS-2025-000042",
        "2025年5月1日",
        "2027年5月1日",
        "ABCD-EFGH-JKMN-PQRS-TVWX",
        SHEET.verify_url,
    ):
        assert expected in text


def test_pdf_embeds_the_cjk_font(tmp_path):
    path = tmp_path / "certificate.pdf"
    path.write_bytes(render_certificate_pdf(SHEET))
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True)
    [font] = fonts.stdout.splitlines()[2:]  # the only font, after the two header lines
    name, kind, _encoding, embedded, subset, *_rest = font.split()
    assert name.endswith("+WenQuanYiZenHei-0")
    assert (kind, embedded, subset) == ("TrueType", "yes", "yes")


def test_a_name_with_markup_characters_is_printed_as_it_is(tmp_path):
    sheet = CertificateSheet(**{**SHEET.__dict__, "holder_name": "李<b>&雷"})
    assert "李<b>&雷" in pdf_text(render_certificate_pdf(sheet), tmp_path)


def test_no_error_when_the_font_is_installed():
    assert certificate_font_installed(None) == []


def test_missing_font_is_a_clear_check_error(settings):
    settings.QUIZZES_CERTIFICATE_FONT = "/nonexistent/wqy-zenhei.ttc"
    [error] = certificate_font_installed(None)
    assert error.id == "quizzes.E001"
    assert error.msg == (
        "找不到证书字体 /nonexistent/wqy-zenhei.ttc（设置项 QUIZZES_CERTIFICATE_FONT），"
        "无法生成 PDF 证书。"
    )
    assert "apt-get install fonts-wqy-zenhei" in error.hint


def test_a_font_that_is_not_truetype_is_refused(settings, tmp_path):
    fake = tmp_path / "font.otf"
    fake.write_bytes(b"OTTO" + b"\0" * 100)
    settings.QUIZZES_CERTIFICATE_FONT = str(fake)
    [error] = certificate_font_installed(None)
    assert error.msg == f"证书字体 {fake} 不是 TrueType 字体（.ttf/.ttc），无法生成 PDF 证书。"


def test_manage_py_check_fails_with_the_message(settings):
    settings.QUIZZES_CERTIFICATE_FONT = "/nonexistent/font.ttf"
    with pytest.raises(SystemCheckError) as error:
        call_command("check")
    assert "quizzes.E001" in str(error.value)
