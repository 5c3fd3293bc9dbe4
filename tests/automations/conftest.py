from tests.notifications.support import (  # re-exported as fixtures for this directory
    commit,
    db_queue,
    http_receiver,
    run_db_worker,
    smtp,
    smtp_port,
)

__all__ = ["commit", "db_queue", "http_receiver", "run_db_worker", "smtp", "smtp_port"]
