"""Training media (video and audio, on wagtailmedia) and training documents (on wagtaildocs).

A media item keeps the uploaded original untouched. What browsers play is ``playable_file``: the
original when it is already H.264/AAC MP4 (or MP3/AAC audio), otherwise the MP4/M4A the
background task made from it. Every URL a browser gets points at this app's views, which check
``media_library.view_media`` and serve byte ranges; nothing is linked through ``MEDIA_URL``.
"""

import mimetypes
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.documents.models import AbstractDocument, Document
from wagtail.search import index
from wagtailmedia.models import AbstractMedia, MediaType

from .validators import format_seconds, validate_chapters, validate_webvtt

POSTER_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]


class MediaKind(models.TextChoices):
    LECTURE_DISC = "lecture_disc", _("授课光盘")
    MORNING_MEETING = "morning_meeting", _("晨会录像")
    LECTURE_RECORDING = "lecture_recording", _("讲课录音")
    OTHER = "other", _("其他")


# Which kinds fit which media type: discs and morning meetings are video, recordings audio.
KINDS_BY_TYPE = {
    MediaType.VIDEO: [MediaKind.LECTURE_DISC, MediaKind.MORNING_MEETING, MediaKind.OTHER],
    MediaType.AUDIO: [MediaKind.LECTURE_RECORDING, MediaKind.OTHER],
}


class ProcessingStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    PROCESSING = "processing", _("处理中")
    READY = "ready", _("可播放")
    FAILED = "failed", _("处理失败")


class TrainingMedia(AbstractMedia):
    kind = models.CharField(
        _("类别"), max_length=32, choices=MediaKind.choices, default=MediaKind.OTHER
    )
    thumbnail = models.FileField(
        _("封面"),
        upload_to="media_thumbnails",
        blank=True,
        help_text=_("可选。留空时自动从视频中截取一帧作为封面。"),
    )
    subtitles = models.FileField(
        _("字幕"),
        upload_to="media_subtitles",
        blank=True,
        validators=[validate_webvtt],
        help_text=_("可选。WebVTT 格式（.vtt），UTF-8 编码。"),
    )
    chapters = models.JSONField(_("章节"), default=list, blank=True, validators=[validate_chapters])

    status = models.CharField(
        _("处理状态"),
        max_length=16,
        choices=ProcessingStatus.choices,
        default=ProcessingStatus.QUEUED,
        editable=False,
    )
    status_changed_at = models.DateTimeField(
        _("状态更新时间"), default=timezone.now, editable=False
    )
    failure_reason = models.CharField(_("失败原因"), max_length=500, blank=True, editable=False)
    failure_log = models.TextField(_("ffmpeg 输出"), blank=True, editable=False)

    container = models.CharField(_("容器格式"), max_length=100, blank=True, editable=False)
    video_codec = models.CharField(_("视频编码"), max_length=32, blank=True, editable=False)
    audio_codec = models.CharField(_("音频编码"), max_length=32, blank=True, editable=False)
    original_is_web_playable = models.BooleanField(
        _("原文件可直接播放"), default=False, editable=False
    )
    web_file = models.FileField(
        _("网页播放文件"), upload_to="media_web", blank=True, editable=False
    )
    poster_generated = models.BooleanField(_("封面为自动截取"), default=False, editable=False)

    admin_form_fields = (
        "title",
        "kind",
        "file",
        "collection",
        "thumbnail",
        "subtitles",
        "chapters",
        "tags",
    )

    search_fields = [
        *AbstractMedia.search_fields,
        index.FilterField("id"),  # a search narrowed to the media a person may open (pk__in)
        index.FilterField("kind"),
        index.FilterField("status"),
    ]

    class Meta:
        verbose_name = _("培训音视频")
        verbose_name_plural = _("培训音视频")

    def clean(self):
        # Replaces wagtailmedia's clean(): the file itself is checked (with ffprobe) by
        # uploads.inspect_media_upload before it ever reaches the model.
        errors = {}
        if not self.duration:
            self.duration = 0
        if self.thumbnail and Path(self.thumbnail.name).suffix.lower()[1:] not in POSTER_EXTENSIONS:
            errors["thumbnail"] = gettext("封面只能是 JPG、PNG、WebP 或 GIF 图片。")
        allowed_kinds = KINDS_BY_TYPE.get(self.type, [])
        if self.kind not in allowed_kinds:
            errors["kind"] = gettext("“%(kind)s”不能用于%(type)s。") % {
                "kind": MediaKind(self.kind).label if self.kind in MediaKind.values else self.kind,
                "type": self.type_label,
            }
        if self.duration and isinstance(self.chapters, list):
            for number, chapter in enumerate(self.chapters, start=1):
                if isinstance(chapter, dict) and chapter.get("start", 0) >= self.duration:
                    errors["chapters"] = gettext(
                        "第 %(number)s 个章节的开始时间 %(start)s 超出了时长 %(duration)s。"
                    ) % {
                        "number": number,
                        "start": format_seconds(chapter["start"]),
                        "duration": format_seconds(self.duration),
                    }
                    break
        if errors:
            raise ValidationError(errors)

    @property
    def type_label(self) -> str:
        return gettext("视频") if self.type == MediaType.VIDEO else gettext("音频")

    @property
    def playable_file(self):
        """The file browsers get: the transcoded one, or the original when it plays as it is."""
        if self.web_file:
            return self.web_file
        if self.original_is_web_playable and self.file:
            return self.file
        return None

    @property
    def is_playable(self) -> bool:
        return self.status == ProcessingStatus.READY and self.playable_file is not None

    @property
    def playable_content_type(self) -> str:
        playable = self.playable_file
        suffix = Path(playable.name).suffix.lower() if playable else ""
        if suffix == ".m4a" or (suffix == ".mp4" and self.type == MediaType.AUDIO):
            return "audio/mp4"
        return mimetypes.guess_type(f"x{suffix}")[0] or "application/octet-stream"

    @property
    def url(self) -> str:
        """The original file (for editors in the admin), through the permission-checking view."""
        return reverse("media_library:original", args=[self.pk])

    @property
    def play_url(self) -> str:
        return reverse("media_library:play", args=[self.pk])

    @property
    def poster_url(self) -> str | None:
        return reverse("media_library:poster", args=[self.pk]) if self.thumbnail else None

    @property
    def subtitles_url(self) -> str | None:
        return reverse("media_library:subtitles", args=[self.pk]) if self.subtitles else None

    @property
    def sources(self) -> list[dict]:
        if not self.is_playable:
            return []
        return [{"src": self.play_url, "type": self.playable_content_type}]

    @property
    def duration_label(self) -> str:
        return format_seconds(self.duration or 0)

    @property
    def codecs_label(self) -> str:
        return " / ".join(codec for codec in (self.video_codec, self.audio_codec) if codec)

    @property
    def chapter_marks(self) -> list[dict]:
        """Chapters with a display label, e.g. ``{"start": 330, "label": "05:30", ...}``."""
        return [{**chapter, "label": format_seconds(chapter["start"])} for chapter in self.chapters]

    def is_stuck(self, now=None) -> bool:
        """Queued or processing for longer than a transcode may take: the worker lost it."""
        if self.status not in (ProcessingStatus.QUEUED, ProcessingStatus.PROCESSING):
            return False
        limit = timedelta(seconds=settings.MEDIA_TRANSCODE_TIMEOUT_SECONDS + 600)
        return (now or timezone.now()) - self.status_changed_at > limit

    def can_retry(self, now=None) -> bool:
        return self.status == ProcessingStatus.FAILED or self.is_stuck(now)


class DocumentKind(models.TextChoices):
    UNIFIED_MATERIAL = "unified_material", _("统一培训教材")
    COURSEWARE = "courseware", _("课件讲义")
    OTHER = "other", _("其他")


class TrainingDocument(AbstractDocument):
    kind = models.CharField(
        _("类别"),
        max_length=32,
        choices=DocumentKind.choices,
        default=DocumentKind.UNIFIED_MATERIAL,
    )

    admin_form_fields = (*Document.admin_form_fields, "kind")

    search_fields = [*AbstractDocument.search_fields, index.FilterField("kind")]

    class Meta:
        verbose_name = _("培训文档")
        verbose_name_plural = _("培训文档")

    def clean(self):
        # Replaces Wagtail's English extension message; uploads.check_document_upload checks
        # type, content and size before the model sees the file.
        allowed = settings.WAGTAILDOCS_EXTENSIONS
        suffix = Path(self.file.name).suffix.lower()[1:] if self.file else ""
        if self.file and suffix not in allowed:
            raise ValidationError(
                {
                    "file": gettext("不支持“.%(ext)s”格式的文档。可以上传：%(allowed)s。")
                    % {"ext": suffix, "allowed": "、".join(allowed)}
                }
            )
