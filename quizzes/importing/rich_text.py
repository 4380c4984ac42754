"""HTML from a file, cut down to what the stem's rich-text editor allows (Wagtail's whitelister):
scripts, styles, event handlers and unknown tags go; their text stays."""

from functools import cache

from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter

from ..models.bank import STEM_FEATURES


@cache
def _converter() -> EditorHTMLConverter:
    # Images in a file refer to another site's storage: dropped, the question's image field is
    # set in the admin.
    return EditorHTMLConverter(features=[f for f in STEM_FEATURES if f != "image"])


def clean_html(html: str) -> str:
    cleaned = _converter().to_database_format(html).strip()
    if cleaned and not cleaned.startswith("<"):
        cleaned = f"<p>{cleaned}</p>"
    return cleaned
