"""An e-mail backend that keeps mail in the database: the local outbox of `make run`."""

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class LocalOutboxBackend(BaseEmailBackend):
    """Stores each message as a LocalOutboxMessage, readable in the admin under E-mails."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from bestellwerk.notifications.models import LocalOutboxMessage

        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []) or []:
                if mimetype == "text/html":
                    html = str(content)
            LocalOutboxMessage.objects.create(
                from_email=message.from_email,
                to=", ".join(message.recipients()),
                subject=message.subject[:300],
                body_text=message.body,
                body_html=html,
                message_id=message.extra_headers.get("Message-ID", "")[:300],
            )
        return len(email_messages)
