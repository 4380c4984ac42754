"""StreamField blocks of a lesson body; templates in ``templates/blocks/``.

Video and audio blocks come from ``media_library.blocks`` (the media library owns the player
markup and the media model); everything else a lesson needs is here.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link", "hr", "blockquote"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("标题文字"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("级别"),
        choices=[("h2", _("二级标题")), ("h3", _("三级标题"))],
        default="h2",
        search_index=False,  # a layout choice: its label (二级标题) is not lesson text
    )

    class Meta:
        icon = "title"
        label = _("小标题")
        template = "blocks/heading_block.html"


class DocumentDisplay:
    DOWNLOAD = "download"
    INLINE = "inline"
    CHOICES = [(DOWNLOAD, _("提供下载")), (INLINE, _("在页面内查看（仅 PDF）"))]


class DocumentBlock(blocks.StructBlock):
    """A textbook or handout: a download link, or for a PDF an inline viewer with that link."""

    document = DocumentChooserBlock(label=_("文档"))
    title = blocks.CharBlock(
        label=_("显示名称"), required=False, help_text=_("留空则使用文档标题。")
    )
    display = blocks.ChoiceBlock(
        label=_("显示方式"),
        choices=DocumentDisplay.CHOICES,
        default=DocumentDisplay.DOWNLOAD,
        search_index=False,  # a layout choice: its label (提供下载) is not lesson text
    )

    class Meta:
        icon = "doc-full"
        label = _("文档")
        template = "blocks/document_block.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        document = value["document"]
        context["show_inline"] = (
            value["display"] == DocumentDisplay.INLINE
            and document is not None
            and document.file_extension.lower() == "pdf"
        )
        return context


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("图片"))
    caption = blocks.CharBlock(label=_("图片说明"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("图片")
        template = "blocks/image_block.html"


class KeyPointsBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("标题"), default=_("本课要点"), max_length=60)
    points = blocks.ListBlock(blocks.CharBlock(label=_("要点"), max_length=300), label=_("要点"))

    class Meta:
        icon = "list-ul"
        label = _("要点提示")
        template = "blocks/key_points_block.html"
