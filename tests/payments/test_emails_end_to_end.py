"""The payments app's events reach the customer as e-mails (notifications' outbox handler,
the real db_worker and an SMTP server): the link as sent, the refund when asked to."""

import pytest

from bestellwerk.payments.services import refund_order, send_payment_link
from tests.notifications.support import (
    REAL_COMMITS,
    commit,
    db_queue,
    run_db_worker,
    smtp,
    smtp_port,
    text_of,
)

__all__ = ["commit", "db_queue", "run_db_worker", "smtp", "smtp_port"]

pytestmark = REAL_COMMITS


@pytest.fixture
def placed(order, smtp, run_db_worker):
    run_db_worker()
    smtp.messages.clear()
    return order


def test_a_sent_link_is_mailed_and_a_refund_mail_only_when_asked(
    placed, actor, smtp, commit, run_db_worker
):
    with commit():
        sent = send_payment_link(number=placed.number, actor=actor)
    run_db_worker()

    [link_mail] = smtp.messages
    assert link_mail["To"] == "erika@example.de"
    assert sent.url in text_of(link_mail)
    assert "54,60" in text_of(link_mail)
    smtp.messages.clear()

    with commit():
        from bestellwerk.payments.services import set_payment_status

        set_payment_status(number=placed.number, payment_status="paid", actor=actor)
    with commit():
        refund_order(number=placed.number, actor=actor, amount="1.00", notify_customer=False)
    with commit():
        refund_order(number=placed.number, actor=actor, amount="9.90", notify_customer=True)
    run_db_worker()

    refund_mails = [m for m in smtp.messages if "Erstattung" in m["Subject"]]
    assert len(refund_mails) == 1
    assert "9,90" in text_of(refund_mails[0])
