"""Background work of the reports app: delivering reminders to overdue people."""

from django_tasks import task

from . import services


@task()
def deliver_reminders(batch_id: int) -> int:
    return services.reminder_batch_deliver(batch_id=batch_id)
