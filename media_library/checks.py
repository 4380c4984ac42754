"""``manage.py check`` reports a missing ffmpeg/ffprobe as an error, before anyone uploads."""

from django.core.checks import Error, register
from django.utils.translation import gettext as _

from . import ffmpeg


@register("media_library")
def ffmpeg_installed(app_configs, **kwargs):
    errors = []
    for kind, check_id in (("ffmpeg", "media_library.E001"), ("ffprobe", "media_library.E002")):
        try:
            ffmpeg.binary(kind)
        except ffmpeg.FfmpegMissing as missing:
            errors.append(
                Error(
                    str(missing),
                    hint=_(
                        "媒体库用 %(kind)s 探测、截取封面和转码音视频。请安装："
                        "apt-get install ffmpeg；或把设置项 %(setting)s 设为 %(kind)s "
                        "可执行文件的完整路径。"
                    )
                    % {"kind": kind, "setting": missing.setting},
                    id=check_id,
                )
            )
    return errors
