from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from quizzes.certificates import certificate_expiry_notices_send


class Command(BaseCommand):
    help = (
        "E-mail the holders of certificates expiring within QUIZZES_EXPIRY_NOTICE_DAYS, once "
        "per certificate. Run it daily (cron), or enqueue the task of the same name."
    )

    def handle(self, *args, **options):
        sent = certificate_expiry_notices_send()
        self.stdout.write(_("发送了 %(count)d 封证书到期提醒邮件。") % {"count": sent})
