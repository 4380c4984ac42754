"""Background work: in-app notices to a published session's whole audience."""

from django_tasks import task

from . import services


@task()
def notify_session_audience(session_id: int) -> int:
    return services.session_notify_audience(session_id=session_id)
