"""A QR code as inline SVG, drawn by reportlab (already a dependency: no new package)."""

from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing

SIZE = 280


def qr_svg(text: str, size: int = SIZE) -> str:
    widget = QrCodeWidget(text, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    svg = renderSVG.drawToString(drawing)
    # Drop the XML prolog and DOCTYPE: the SVG is inlined in an HTML page.
    return svg[svg.index("<svg") :]
