"""Serving media files (with byte ranges) to people allowed to see them, and the admin retry.

A viewer who may not see an item gets 404, not 403, so that its existence is not revealed.
Logging in is enforced before any of this by ``LoginRequiredMiddleware``.
"""

import posixpath
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from wagtail.admin.auth import permission_denied

from . import selectors, services
from .models import TrainingMedia
from .ranges import ranged_file_response

# Under MEDIA_URL only Wagtail images (originals and renditions: course covers and the like) are
# served to every logged-in user; automatic posters are checked against their media item.
IMAGE_PREFIXES = ("images/", "original_images/")
POSTER_PREFIX = "media_thumbnails/"


def _media_or_404(request, media_id: int, perm: str = "media_library.view_media"):
    media = selectors.media_get(media_id=media_id)
    if not request.user.has_perm(perm, media):
        raise Http404
    return media


def _serve(request, field_file, *, content_type=None, filename=None):
    storage = field_file.storage
    try:
        storage.path(field_file.name)
    except NotImplementedError:
        # Object storage: hand the browser a short-lived signed URL rather than piping the
        # whole object through an app server; the storage answers Range requests itself.
        return redirect(storage.url(field_file.name))
    if not storage.exists(field_file.name):
        raise Http404
    return ranged_file_response(
        request,
        storage=storage,
        name=field_file.name,
        content_type=content_type,
        filename=filename,
    )


@require_safe
def play(request, media_id: int):
    """The web-playable file (the transcode, or the original when it plays as it is)."""
    media = _media_or_404(request, media_id)
    if not media.is_playable:
        raise Http404
    playable = media.playable_file
    return _serve(
        request,
        playable,
        content_type=media.playable_content_type,
        filename=f"{media.title}{Path(playable.name).suffix}",
    )


@require_safe
def poster(request, media_id: int):
    media = _media_or_404(request, media_id)
    if not media.thumbnail:
        raise Http404
    return _serve(request, media.thumbnail)


@require_safe
def subtitles(request, media_id: int):
    media = _media_or_404(request, media_id)
    if not media.subtitles:
        raise Http404
    return _serve(request, media.subtitles, content_type="text/vtt; charset=utf-8")


@require_safe
def original(request, media_id: int):
    """The uploaded original, for editors only (learners get the playable file)."""
    media = _media_or_404(request, media_id, perm="media_library.change_media")
    return _serve(request, media.file, filename=f"{media.title}{Path(media.file.name).suffix}")


@require_safe
def stored_file(request, path: str):
    """Files under MEDIA_URL: Wagtail images for anyone logged in, posters for their viewers."""
    name = posixpath.normpath(path)
    if name.startswith(("/", "../")) or name == "..":
        raise Http404
    if name.startswith(POSTER_PREFIX):
        media = TrainingMedia.objects.filter(thumbnail=name).first()
        if media is None or not request.user.has_perm("media_library.view_media", media):
            raise Http404
    elif not name.startswith(IMAGE_PREFIXES):
        raise Http404
    if not default_storage.exists(name):
        raise Http404
    return ranged_file_response(request, storage=default_storage, name=name)


@require_POST
def retry(request, media_id: int):
    """Admin action: queue a failed item's processing again."""
    media = selectors.media_get(media_id=media_id)
    if not request.user.has_perm("media_library.change_media", media):
        return permission_denied(request)
    try:
        services.media_retry(media=media)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已重新开始处理“%(title)s”。") % {"title": media.title})
    return redirect("wagtailmedia:edit", media.pk)
