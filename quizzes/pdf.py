"""The PDF certificate: one landscape A4 page in Chinese, drawn with reportlab.

reportlab embeds TrueType outlines only, so the CJK font is Debian's ``fonts-wqy-zenhei``
(WenQuanYi Zen Hei, a TrueType collection); Noto CJK ships CFF outlines that reportlab cannot
embed. The font is found through ``settings.QUIZZES_CERTIFICATE_FONT``; ``manage.py check``
reports it missing (``quizzes.E001``), like media_library's missing ffmpeg.

The renderer knows nothing of the models: it draws a ``CertificateSheet``, the plain facts a
certificate states, which ``quizzes.certificates`` builds. The QR code carries the public
verification URL.
"""

import functools
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

FONT_NAME = "CertificateCJK"
# WenQuanYi Zen Hei is the first face of wqy-zenhei.ttc (then Sharp, then Mono).
FONT_SUBFONT_INDEX = 0

INK = colors.HexColor("#1f2937")
ACCENT = colors.HexColor("#b91c1c")
MUTED = colors.HexColor("#6b7280")


class CertificateFontMissing(Exception):
    """The configured CJK TrueType font is not there or cannot be read."""

    setting = "QUIZZES_CERTIFICATE_FONT"


@dataclass(frozen=True)
class CertificateSheet:
    """What a certificate states, as printed and as the verification page shows it."""

    issuer: str
    holder_name: str
    holder_company: str
    certification_name: str
    product_company: str
    issued_on: date
    expires_on: date
    serial: str
    verification_code: str
    verify_url: str


def font_path() -> Path:
    return Path(settings.QUIZZES_CERTIFICATE_FONT)


@functools.cache
def _register_font(path: str) -> str:
    # Registered once per process (reportlab's font registry is global); about 0.4 s to parse.
    pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=FONT_SUBFONT_INDEX))
    # One face for every style, so <b> in a paragraph stays in the CJK font.
    pdfmetrics.registerFontFamily(
        FONT_NAME, normal=FONT_NAME, bold=FONT_NAME, italic=FONT_NAME, boldItalic=FONT_NAME
    )
    return FONT_NAME


# A TrueType font or collection starts with one of these; CFF (OpenType "OTTO") cannot be embedded.
TRUETYPE_MAGIC = (b"\x00\x01\x00\x00", b"true", b"ttcf")


def check_font_file() -> None:
    """Cheap (no parsing): the file is there and is TrueType. ``manage.py check`` runs this."""
    path = font_path()
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as error:
        raise CertificateFontMissing(
            _("找不到证书字体 %(path)s（设置项 QUIZZES_CERTIFICATE_FONT），无法生成 PDF 证书。")
            % {"path": path}
        ) from error
    if magic not in TRUETYPE_MAGIC:
        raise CertificateFontMissing(
            _("证书字体 %(path)s 不是 TrueType 字体（.ttf/.ttc），无法生成 PDF 证书。")
            % {"path": path}
        )


def certificate_font() -> str:
    """The registered font's name; ``CertificateFontMissing`` with a Chinese message if absent."""
    check_font_file()
    path = str(font_path())
    try:
        return _register_font(path)
    except Exception as error:  # reportlab raises bare TTFError/struct errors on a bad file
        raise CertificateFontMissing(
            _("证书字体 %(path)s 无法读取（%(error)s），无法生成 PDF 证书。")
            % {"path": path, "error": error}
        ) from error


def _qr_drawing(value: str, size: float, font: str) -> Drawing:
    widget = QrCodeWidget(value, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(
        size,
        size,
        transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0],
        initialFontName=font,  # else the drawing's state names Times-Roman, unembedded
    )
    drawing.add(widget)
    return drawing


def _date(value: date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": value.year, "m": value.month, "d": value.day}


def render_certificate_pdf(sheet: CertificateSheet) -> bytes:
    font = certificate_font()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1, initialFontName=font)
    canvas.setTitle(f"{sheet.certification_name} · {sheet.holder_name}")
    canvas.setAuthor(sheet.issuer)
    canvas.setSubject(sheet.serial)

    # Frame: a heavy outer line and a thin inner one.
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(0.8)
    canvas.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    canvas.setFillColor(INK)
    canvas.setFont(font, 14)
    canvas.drawCentredString(width / 2, height - 36 * mm, sheet.issuer)
    canvas.setFillColor(ACCENT)
    canvas.setFont(font, 34)
    canvas.drawCentredString(width / 2, height - 54 * mm, _("资格证书"))
    canvas.setFillColor(INK)
    canvas.setFont(font, 18)
    canvas.drawCentredString(width / 2, height - 66 * mm, sheet.certification_name)

    body = ParagraphStyle(
        "body",
        fontName=font,
        fontSize=15,
        leading=26,
        alignment=TA_CENTER,
        wordWrap="CJK",
    )
    text = _(
        "兹证明 <b>%(holder)s</b>（%(company)s）通过%(certification)s认证考试，"
        "具备代理销售%(product_company)s产品的资格，特发此证。"
    ) % {
        "holder": _escape(sheet.holder_name),
        "company": _escape(sheet.holder_company),
        "certification": _escape(sheet.certification_name),
        "product_company": _escape(sheet.product_company),
    }
    paragraph = Paragraph(text, body)
    text_width = width - 80 * mm
    _w, text_height = paragraph.wrap(text_width, 60 * mm)
    paragraph.drawOn(canvas, 40 * mm, height - 84 * mm - text_height)

    facts = [
        (_("持证人"), sheet.holder_name),
        (_("证书编号"), sheet.serial),
        (_("发证日期"), _date(sheet.issued_on)),
        (_("有效期至"), _date(sheet.expires_on)),
        (_("验证码"), sheet.verification_code),
    ]
    canvas.setFont(font, 12)
    y = 68 * mm
    for label, value in facts:
        canvas.setFillColor(MUTED)
        canvas.drawString(40 * mm, y, f"{label}：")
        canvas.setFillColor(INK)
        canvas.drawString(66 * mm, y, value)
        y -= 8 * mm

    qr_size = 38 * mm
    qr_x, qr_y = width - 40 * mm - qr_size, 30 * mm
    renderPDF.draw(_qr_drawing(sheet.verify_url, qr_size, font), canvas, qr_x, qr_y)
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 9)
    canvas.drawCentredString(qr_x + qr_size / 2, qr_y - 5 * mm, _("扫码查验证书真伪"))
    canvas.setFont(font, 8)
    canvas.drawString(40 * mm, 22 * mm, sheet.verify_url)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _escape(value: str) -> str:
    """Paragraph text is reportlab's mini-markup: names must not open tags."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
