"""``manage.py check`` reports a missing certificate font as an error, before anyone needs a PDF."""

from django.core.checks import Error, register
from django.utils.translation import gettext as _

from . import pdf


@register("quizzes")
def certificate_font_installed(app_configs, **kwargs):
    try:
        pdf.check_font_file()
    except pdf.CertificateFontMissing as missing:
        return [
            Error(
                str(missing),
                hint=_(
                    "PDF 证书用文泉驿正黑（TrueType）显示中文。请安装：apt-get install "
                    "fonts-wqy-zenhei；或把设置项 %(setting)s 设为一个 TrueType 中文字体文件的"
                    "完整路径。"
                )
                % {"setting": missing.setting},
                id="quizzes.E001",
            )
        ]
    return []
