"""Background work: posters and transcodes run in the task worker, never in a request."""

from django_tasks import task

from . import services


# Below Wagtail's own tasks (search and reference index updates), which are quick.
@task(priority=-10)
def process_media(media_id: int) -> None:
    services.media_process(media_id=media_id)
