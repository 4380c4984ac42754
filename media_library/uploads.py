"""Checks run on an uploaded file before anything is stored.

They run in the form's ``clean_file`` (and in ``services.media_create``), so a rejected file
leaves no row and no file in storage: the upload lives only in Django's own temporary file, or
in a temporary copy made here and removed at once.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from wagtailmedia.models import MediaType
from wagtailmedia.settings import wagtailmedia_settings

from . import ffmpeg

# What a document's first bytes must be for its extension: PDF, the Office 2007+ ZIP package,
# and the older OLE2 compound file (.doc/.ppt/.xls).
_PDF = (b"%PDF-",)
_ZIP = (b"PK\x03\x04",)
_OLE2 = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
DOCUMENT_SIGNATURES = {
    "pdf": _PDF,
    "docx": _ZIP,
    "pptx": _ZIP,
    "xlsx": _ZIP,
    "doc": _OLE2,
    "ppt": _OLE2,
    "xls": _OLE2,
}


def allowed_media_extensions(media_type: str) -> list[str]:
    if media_type == MediaType.AUDIO:
        return list(wagtailmedia_settings.AUDIO_EXTENSIONS)
    return list(wagtailmedia_settings.VIDEO_EXTENSIONS)


def inspect_media_upload(uploaded, *, media_type: str) -> ffmpeg.ProbeResult:
    """Probe an uploaded audio or video file; ``ValidationError`` with a Chinese sentence if bad."""
    name = Path(uploaded.name).name
    extension = Path(name).suffix.lower()[1:]
    allowed = allowed_media_extensions(media_type)
    type_label = _("视频") if media_type == MediaType.VIDEO else _("音频")
    if extension not in allowed:
        raise ValidationError(
            _("不支持“%(name)s”这种文件类型。%(type)s可以上传这些格式：%(allowed)s。")
            % {"name": name, "type": type_label, "allowed": "、".join(allowed)},
            code="unsupported_type",
        )
    _check_size(uploaded, settings.MEDIA_UPLOAD_MAX_BYTES)

    try:
        with local_upload_path(uploaded) as path:
            probe = ffmpeg.probe(path, timeout=settings.MEDIA_PROBE_TIMEOUT_SECONDS)
            if probe.duration <= 0 or not (probe.has_video or probe.has_audio):
                raise ffmpeg.FfmpegError(_("没有音视频流"))
            if media_type == MediaType.VIDEO and not probe.has_video:
                raise ValidationError(
                    _("“%(name)s”里没有视频画面。如果这是一段录音，请用“添加音频”上传。")
                    % {"name": name},
                    code="no_video",
                )
            if media_type == MediaType.AUDIO and not probe.has_audio:
                raise ValidationError(
                    _("“%(name)s”里没有声音，不能作为音频上传。") % {"name": name},
                    code="no_audio",
                )
            try:
                ffmpeg.check_tail_decodes(
                    path, duration=probe.duration, timeout=settings.MEDIA_PROBE_TIMEOUT_SECONDS
                )
            except ffmpeg.FfmpegError as exc:
                raise ValidationError(
                    _(
                        "“%(name)s”不完整或已损坏：文件末尾无法解码。"
                        "请确认原文件能完整播放，重新导出后再上传。"
                    )
                    % {"name": name},
                    code="truncated",
                ) from exc
    except ffmpeg.FfmpegMissing as exc:
        raise ValidationError(
            _("服务器没有安装 ffmpeg，暂时无法上传音视频，请联系系统管理员。"),
            code="ffmpeg_missing",
        ) from exc
    except ffmpeg.FfmpegError as exc:
        raise ValidationError(
            _("无法读取“%(name)s”：它不是音视频文件，或者文件已损坏。") % {"name": name},
            code="not_media",
        ) from exc
    return probe


def check_document_upload(uploaded) -> None:
    """Extension whitelist, size limit, and first bytes that match the extension."""
    name = Path(uploaded.name).name
    extension = Path(name).suffix.lower()[1:]
    allowed = list(settings.WAGTAILDOCS_EXTENSIONS)
    if extension not in allowed:
        raise ValidationError(
            _("不支持“.%(ext)s”格式的文档。可以上传：%(allowed)s。")
            % {"ext": extension, "allowed": "、".join(allowed)},
            code="unsupported_type",
        )
    _check_size(uploaded, settings.DOCUMENT_UPLOAD_MAX_BYTES)
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if not head.startswith(DOCUMENT_SIGNATURES.get(extension, (b"",))):
        raise ValidationError(
            _("“%(name)s”的内容与扩展名不符，不是有效的 .%(ext)s 文档。")
            % {"name": name, "ext": extension},
            code="content_mismatch",
        )


def _check_size(uploaded, limit: int) -> None:
    if uploaded.size == 0:
        raise ValidationError(_("文件是空的，请重新选择。"), code="empty")
    if uploaded.size > limit:
        raise ValidationError(
            _("文件大小 %(size)s 超过了上限 %(limit)s。")
            % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
            code="too_large",
        )


@contextmanager
def local_upload_path(uploaded) -> Iterator[Path]:
    """A path ffprobe can read: Django's temporary upload file, or a temporary copy."""
    temporary_path = getattr(uploaded, "temporary_file_path", None)
    if temporary_path is not None:
        yield Path(temporary_path())
        return
    suffix = Path(uploaded.name).suffix.lower()
    handle, name = tempfile.mkstemp(prefix="media-upload-", suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as copy:
            uploaded.seek(0)
            shutil.copyfileobj(uploaded, copy, 1024 * 1024)
        yield Path(name)
    finally:
        uploaded.seek(0)
        os.unlink(name)
