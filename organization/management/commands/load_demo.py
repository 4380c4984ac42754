"""``manage.py load_demo``: load the demo data (idempotent) and print the demo logins."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from organization.demo import load_demo


class Command(BaseCommand):
    help = "载入演示数据（机构、人员和各角色的演示账号）；可重复运行，只补齐缺少的部分。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="在未开启 DEBUG 的环境中也载入（演示账号共用公开的密码，切勿用于生产）。",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                _("演示账号共用公开的密码，只在调试模式（DEBUG）下载入；确需载入请加 --force。")
            )
        try:
            context = load_demo(log=self.stdout.write)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        headers = (_("角色"), _("工号/用户名"), _("密码"), _("能看到什么"))
        rows = [
            (login.role, login.username, login.password, login.sees) for login in context.logins
        ]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(_("演示账号：")))
        self.stdout.write(format_table(headers, rows))


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters are two wide."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def format_table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A plain-text table, aligned for a terminal; the last column is left unpadded."""
    widths = [max(display_width(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = []
    for row in [headers, tuple("-" * w for w in widths), *rows]:
        cells = [
            cell + " " * (width - display_width(cell))
            for cell, width in zip(row, widths, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
