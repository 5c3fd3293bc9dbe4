from django_tasks import task

from bestellwerk.notifications.services import send_queued_email, sweep_emails


@task()
def send_email(email_id: int) -> str:
    return send_queued_email(email_id=email_id)


@task()
def sweep_email_outbox() -> int:
    return sweep_emails()
