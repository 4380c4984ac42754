"""Serving a stored file with HTTP byte ranges (RFC 9110 §14), as video seeking needs.

Browsers ask for ``Range: bytes=<start>-`` whenever the viewer seeks; without a 206 answer most
of them cannot seek at all. The file is streamed from storage in chunks, never read whole.
"""

import mimetypes
import re
from urllib.parse import quote

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

CHUNK_SIZE = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive ``(first, last)`` byte positions asked for, or None to send everything.

    A header that is malformed or names several ranges is ignored (a full response is allowed);
    a range that starts past the end raises ``RangeNotSatisfiable``.
    """
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        raise RangeNotSatisfiable
    return start, min(end, size - 1)


def ranged_file_response(
    request,
    *,
    storage,
    name: str,
    content_type: str | None = None,
    filename: str | None = None,
    cache_control: str = "private, max-age=3600",
) -> HttpResponse:
    """200 with the whole file, 206 with the asked range, 416 when out of range, 304 if fresh."""
    size = storage.size(name)
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    last_modified = _modified_timestamp(storage, name)
    etag = f'"{size:x}-{last_modified or 0:x}"'

    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return _with_common_headers(not_modified, etag, last_modified, cache_control)

    byte_range = None
    if _if_range_matches(request, etag, last_modified):
        try:
            byte_range = parse_range(request.headers.get("Range"), size)
        except RangeNotSatisfiable:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return _with_common_headers(response, etag, last_modified, cache_control)

    if byte_range is None:
        status, start, length = 200, 0, size
    else:
        status, start, length = 206, byte_range[0], byte_range[1] - byte_range[0] + 1

    if request.method == "HEAD":
        response = HttpResponse(status=status, content_type=content_type)
    elif status == 200:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    else:
        response = StreamingHttpResponse(
            _read_range(storage, name, start, length), status=206, content_type=content_type
        )
    response["Content-Length"] = str(length)
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{start + length - 1}/{size}"
    if filename:
        response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return _with_common_headers(response, etag, last_modified, cache_control)


def _read_range(storage, name: str, start: int, length: int):
    with storage.open(name, "rb") as handle:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk


def _if_range_matches(request, etag: str, last_modified: int | None) -> bool:
    """A Range is honoured only if ``If-Range`` (when sent) still names this version."""
    validator = request.headers.get("If-Range")
    if not validator:
        return True
    if validator.startswith(('"', "W/")):
        return validator == etag
    since = parse_http_date_safe(validator)
    return since is not None and last_modified is not None and last_modified <= since


def _modified_timestamp(storage, name: str) -> int | None:
    try:
        return int(storage.get_modified_time(name).timestamp())
    except (NotImplementedError, OSError):
        return None


def _with_common_headers(response, etag, last_modified, cache_control):
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = cache_control
    return response
