from tests.notifications.support import (  # re-exported as fixtures for this directory
    commit,
    database_queue_by_default,
    db_queue,
    http_receiver,
    run_db_worker,
    smtp,
    smtp_port,
)

__all__ = [
    "commit",
    "database_queue_by_default",
    "db_queue",
    "http_receiver",
    "run_db_worker",
    "smtp",
    "smtp_port",
]
