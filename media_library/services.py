"""Writes to the media library: create media, record probes, process, retry.

Processing (``media_process``) is deliberately not one transaction: a transcode can run for an
hour and must not hold a database transaction (or SQLite's write lock) that long. Each status
change is its own small write; the original file is never touched, and a derived file is only
stored once ffmpeg has finished writing it.
"""

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Collection
from wagtailmedia.models import MediaType

from . import ffmpeg
from .models import ProcessingStatus, TrainingMedia
from .uploads import inspect_media_upload

# Where the poster frame is taken, as a share of the duration (skips black leaders and titles).
POSTER_POSITION = 0.1


@transaction.atomic
def media_create(
    *,
    title: str,
    file: File,
    media_type: str,
    kind: str,
    collection: Collection | None = None,
    uploaded_by=None,
    tags: Iterable[str] = (),
    subtitles: File | None = None,
    chapters: list[dict] | None = None,
) -> TrainingMedia:
    """Create a media item from a file, as the admin upload does, and queue its processing.

    Raises ``ValidationError`` (``{"file": ...}`` for a bad file) and stores nothing then.
    """
    try:
        probe = inspect_media_upload(file, media_type=media_type)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    media = TrainingMedia(
        title=title,
        file=file,
        type=media_type,
        kind=kind,
        collection=collection or Collection.get_first_root_node(),
        uploaded_by_user=uploaded_by,
        chapters=chapters or [],
    )
    if subtitles is not None:
        media.subtitles = subtitles
    media_record_probe(media=media, probe=probe)
    media.full_clean()
    media.save()
    media.tags.set(list(tags))
    media_enqueue_processing(media=media)
    return media


def media_record_probe(*, media: TrainingMedia, probe: ffmpeg.ProbeResult) -> None:
    """Copy what ffprobe found onto a media item whose file is new; the caller saves it.

    Derived files of the previous file (a transcode, an automatic poster) are removed once the
    new file is committed, and processing starts again from ``queued``.
    """
    stale = [media.web_file.name] if media.web_file else []
    if media.poster_generated and media.thumbnail:
        stale.append(media.thumbnail.name)
        media.thumbnail = None
        media.poster_generated = False
    media.web_file = None
    media.duration = probe.duration
    media.width = probe.width
    media.height = probe.height
    media.container = probe.format_name[:100]
    media.video_codec = probe.video_codec[:32]
    media.audio_codec = probe.audio_codec[:32]
    media.original_is_web_playable = probe.is_web_playable(media.type)
    _set_status(media, ProcessingStatus.QUEUED)
    if stale:
        transaction.on_commit(partial(_delete_files, media.file.storage, stale))


def media_discard_generated_poster(*, media: TrainingMedia, name: str) -> None:
    """The lecturer uploaded or cleared the poster: drop the automatic one once that is saved."""
    media.poster_generated = False
    transaction.on_commit(partial(_delete_files, media.file.storage, [name]))


def media_enqueue_processing(*, media: TrainingMedia) -> None:
    """Queue the background task once the row it reads is committed."""
    from .tasks import process_media

    transaction.on_commit(partial(process_media.enqueue, media.pk))


@transaction.atomic
def media_retry(*, media: TrainingMedia) -> None:
    """Queue a failed (or lost) item again. ``ValidationError`` when it is still being worked on."""
    media = TrainingMedia.objects.select_for_update().get(pk=media.pk)
    if media.status == ProcessingStatus.READY:
        raise ValidationError(
            _("“%(title)s”已经可以播放，不需要重试。") % {"title": media.title}, code="ready"
        )
    if not media.can_retry():
        raise ValidationError(
            _("“%(title)s”正在处理中，不需要重试。") % {"title": media.title}, code="busy"
        )
    _set_status(media, ProcessingStatus.QUEUED)
    media.save(update_fields=_STATUS_FIELDS)
    media_enqueue_processing(media=media)


def media_process(*, media_id: int) -> None:
    """Make the poster and, when needed, the web-playable copy; record ready or failed."""
    media = TrainingMedia.objects.filter(pk=media_id).first()
    if media is None:  # deleted while it waited in the queue
        return
    _set_status(media, ProcessingStatus.PROCESSING)
    media.save(update_fields=_STATUS_FIELDS)
    step = "transcode"
    try:
        with _local_path(media.file) as source, tempfile.TemporaryDirectory() as workdir:
            if not media.original_is_web_playable:
                _transcode(media, source, Path(workdir))
            step = "poster"
            if media.type == MediaType.VIDEO and not media.thumbnail:
                with _local_path(media.playable_file) as playable:
                    _make_poster(media, playable, Path(workdir))
    except ffmpeg.FfmpegError as exc:
        media_record_failure(media=media, step=step, error=exc)
        return
    except ffmpeg.FfmpegMissing as exc:
        media_record_failure(media=media, step=step, error=ffmpeg.FfmpegError(str(exc)))
        return
    except Exception as exc:
        media_record_failure(
            media=media, step=step, error=ffmpeg.FfmpegError(_("服务器内部错误"), repr(exc))
        )
        raise
    _set_status(media, ProcessingStatus.READY)
    media.save(update_fields=_STATUS_FIELDS)


def media_record_failure(*, media: TrainingMedia, step: str, error: ffmpeg.FfmpegError) -> None:
    if step == "transcode":
        reason = _("转码失败：%(cause)s。原文件已保留，可以重试或重新上传。")
    else:
        reason = _("生成封面失败：%(cause)s。")
    _set_status(media, ProcessingStatus.FAILED)
    media.failure_reason = (reason % {"cause": error.summary})[:500]
    media.failure_log = error.stderr_tail
    media.save(update_fields=_STATUS_FIELDS)


def _delete_files(storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


_STATUS_FIELDS = ["status", "status_changed_at", "failure_reason", "failure_log"]


def _set_status(media: TrainingMedia, status: str) -> None:
    media.status = status
    media.status_changed_at = timezone.now()
    if status != ProcessingStatus.FAILED:
        media.failure_reason = ""
        media.failure_log = ""


def _transcode(media: TrainingMedia, source: Path, workdir: Path) -> None:
    suffix = ".mp4" if media.type == MediaType.VIDEO else ".m4a"
    target = workdir / f"web{suffix}"
    ffmpeg.transcode(
        source,
        target,
        media_type=media.type,
        timeout=settings.MEDIA_TRANSCODE_TIMEOUT_SECONDS,
    )
    previous = media.web_file.name if media.web_file else ""
    with target.open("rb") as handle:
        media.web_file.save(f"{Path(media.file.name).stem}{suffix}", File(handle), save=False)
    media.save(update_fields=["web_file"])
    if previous:
        media.web_file.storage.delete(previous)


def _make_poster(media: TrainingMedia, source: Path, workdir: Path) -> None:
    target = workdir / "poster.jpg"
    ffmpeg.make_poster(
        source,
        target,
        at_seconds=media.duration * POSTER_POSITION,
        timeout=settings.MEDIA_PROBE_TIMEOUT_SECONDS * 2,
    )
    with target.open("rb") as handle:
        media.thumbnail.save(f"{Path(media.file.name).stem}.jpg", File(handle), save=False)
    media.poster_generated = True
    media.save(update_fields=["thumbnail", "poster_generated"])


@contextmanager
def _local_path(field_file: FieldFile) -> Iterator[Path]:
    """A local path for a stored file: the file itself on disk, else a temporary download."""
    try:
        path = Path(field_file.path)
    except NotImplementedError:
        path = None
    if path is not None:
        yield path
        return
    handle, name = tempfile.mkstemp(suffix=Path(field_file.name).suffix)
    try:
        with os.fdopen(handle, "wb") as copy, field_file.storage.open(field_file.name) as stored:
            shutil.copyfileobj(stored, copy, 1024 * 1024)
        yield Path(name)
    finally:
        os.unlink(name)
