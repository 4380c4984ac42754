"""Import people from an .xlsx or .csv file, as the admin wizard does but in one step.

    python manage.py import_people people.xlsx --as A0001234 [--dry-run]

``--as`` names the importing coordinator by employee number; the file may only touch their
subtree. Without it the import runs as the first active superuser (the whole tree). Every run is
recorded as a PeopleImport, like an upload in the admin; ``--dry-run`` checks and reports only.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from organization.models import Person
from organization.people_import import can_import_people, people_import_start


class Command(BaseCommand):
    help = "从 .xlsx 或 .csv 文件批量导入人员（与管理后台“导入人员”相同的检查）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的 .xlsx 或 .csv 文件。")
        parser.add_argument(
            "--as",
            dest="importer",
            metavar="EMPLOYEE_NO",
            help="以这位培训管理员（工号）的身份导入；不填则以超级用户身份导入。",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查并报告结果，不做任何修改。"
        )

    def handle(self, *args, file, importer, dry_run, **options):
        user = self._importer(importer)
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s。") % {"path": path})
        try:
            with path.open("rb") as handle:
                record, plan = people_import_start(
                    file=File(handle, name=path.name), importer=user, apply=not dry_run
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for error in plan.errors:
            self.stderr.write(str(error))
        if plan.errors:
            raise CommandError(
                _("文件中有 %(count)s 处错误，没有做任何修改（导入记录 #%(pk)s）。")
                % {"count": len(plan.errors), "pk": record.pk}
            )
        counts = {
            "created": len(plan.creates),
            "updated": len(plan.updates),
            "unchanged": plan.unchanged_count,
        }
        if dry_run:
            self.stdout.write(
                _(
                    "试运行，没有做任何修改：将新增 %(created)s 人，更新 %(updated)s 人，"
                    "无变化 %(unchanged)s 人。"
                )
                % counts
            )
        else:
            self.stdout.write(
                _("导入完成：新增 %(created)s 人，更新 %(updated)s 人，无变化 %(unchanged)s 人。")
                % counts
            )

    def _importer(self, employee_no: str | None):
        if employee_no is None:
            user = (
                get_user_model()
                .objects.filter(is_superuser=True, is_active=True)
                .order_by("pk")
                .first()
            )
            if user is None:
                raise CommandError(_("没有可用的超级用户，请用 --as 指定培训管理员的工号。"))
            self.stdout.write(
                _("未指定 --as，以超级用户 %(username)s 的身份导入。") % {"username": user.username}
            )
            return user
        person = (
            Person.objects.select_related("user", "org_unit")
            .filter(employee_no=employee_no)
            .first()
        )
        if person is None:
            raise CommandError(_("找不到工号为 %(no)s 的人员。") % {"no": employee_no})
        if not can_import_people(person.user):
            raise CommandError(
                _("工号 %(no)s 不是在职的培训管理员，不能导入人员。") % {"no": employee_no}
            )
        return person.user
