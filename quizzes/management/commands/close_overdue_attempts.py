from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from quizzes.services import attempts_close_overdue


class Command(BaseCommand):
    help = (
        "Close every quiz attempt whose deadline (and grace) has passed, grading the answers "
        "saved by then. Run it every minute or so (cron), or queue quizzes.tasks."
    )

    def handle(self, *args, **options):
        closed = attempts_close_overdue()
        if options["verbosity"]:
            self.stdout.write(_("自动交卷 %(count)d 份超时的答卷。") % {"count": closed})
