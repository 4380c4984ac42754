from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from courses.services import assignment_sync


class Command(BaseCommand):
    help = "Enrol everyone an active mandatory assignment covers but who has no enrolment yet."

    def handle(self, *args, **options):
        created = assignment_sync()
        self.stdout.write(_("新建了 %(count)d 条指派学习记录。") % {"count": created})
