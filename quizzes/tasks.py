"""Background work of the quiz app."""

from django_tasks import task

from . import certificates, services


@task()
def close_overdue_attempts() -> int:
    """Close attempts past their deadline and grace (also ``manage.py close_overdue_attempts``).

    Queue it from a scheduler; pages close a person's own overdue attempts as they are opened."""
    return services.attempts_close_overdue()


@task()
def send_certificate_expiry_notices() -> int:
    """The daily recertification e-mails (also ``manage.py send_certificate_expiry_notices``)."""
    return certificates.certificate_expiry_notices_send()
