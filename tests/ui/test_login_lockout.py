"""Finding 8 of the hostile run: brute force. Logins lock per user and per address."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

LIMIT = 10


def try_login(client: Client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_wrong_passwords_lock_the_user_name_with_a_clear_message(sales_user):
    client = Client()
    for _ in range(LIMIT - 1):
        assert try_login(client, "sam", "falsch").status_code == 200
    assert try_login(client, "sam", "falsch").status_code == 429

    # even the right password, from another address, is refused while locked
    locked = try_login(Client(), "sam", "pw-sam-12345", address="198.51.100.2")

    assert locked.status_code == 429
    assert "Anmeldung vorübergehend gesperrt" in locked.text
    assert "15 Minuten" in locked.text
    assert "_auth_user_id" not in locked.client.session


@pytest.mark.django_db
def test_many_user_names_from_one_address_lock_the_address(sales_user):
    client = Client()
    for index in range(LIMIT):
        try_login(client, f"rate{index}", "falsch")

    assert try_login(client, "sam", "pw-sam-12345").status_code == 429


@pytest.mark.django_db
def test_an_admin_unlocks_by_deleting_the_attempts(sales_user):
    for _ in range(LIMIT):
        try_login(Client(), "sam", "falsch")
    assert try_login(Client(), "sam", "pw-sam-12345").status_code == 429

    AccessAttempt.objects.filter(username="sam").delete()

    response = try_login(Client(), "sam", "pw-sam-12345")
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_few_mistakes_do_not_lock(sales_user):
    for _ in range(LIMIT - 1):
        try_login(Client(), "sam", "falsch")

    assert try_login(Client(), "sam", "pw-sam-12345").status_code == 302
