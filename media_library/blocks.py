"""StreamField blocks for training media: wagtailmedia's chooser, our player markup.

The value of a block is the ``TrainingMedia`` itself. It renders
``templates/blocks/media_player.html``: an HTML5 ``<video>``/``<audio>`` with the poster, the
web-playable source through the range-serving view, WebVTT subtitles as ``<track>``, chapter
buttons, and the data attributes a player script needs for heartbeats (``data-media-id``,
``data-media-duration``). Until the media is processed it renders a notice instead of a player
that cannot play.
"""

from django.template.loader import render_to_string
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtailmedia.blocks import AbstractMediaChooserBlock
from wagtailmedia.models import MediaType

PLAYER_TEMPLATE = "blocks/media_player.html"


def render_player(media) -> str:
    """The player markup for ``media`` (also used by the ``media_player`` template tag)."""
    if media is None:
        return ""
    return render_to_string(PLAYER_TEMPLATE, {"media": media})


class _TrainingMediaBlock(AbstractMediaChooserBlock):
    media_type: str

    def __init__(self, required=True, help_text=None, validators=(), **kwargs):
        super().__init__(
            required=required,
            help_text=help_text,
            validators=validators,
            media_type=self.media_type,
            **kwargs,
        )

    @staticmethod
    def media_of(value):
        """The ``TrainingMedia`` a block value stands for (None when it was deleted)."""
        return value

    def render_basic(self, value, context=None) -> str:
        if not value or value.type != self.media_type:
            return ""
        return render_player(value)


class VideoBlock(_TrainingMediaBlock):
    media_type = MediaType.VIDEO

    @cached_property
    def widget(self):
        from wagtailmedia.widgets import AdminVideoChooser

        return AdminVideoChooser()

    class Meta:
        icon = "wagtailmedia-video"
        label = _("视频")


class AudioBlock(_TrainingMediaBlock):
    media_type = MediaType.AUDIO

    @cached_property
    def widget(self):
        from wagtailmedia.widgets import AdminAudioChooser

        return AdminAudioChooser()

    class Meta:
        icon = "wagtailmedia-audio"
        label = _("音频")
