"""Django test clients signed in as each role."""

import pytest
from django.test import Client


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_ui(admin_user) -> Client:
    return client_for(admin_user)


@pytest.fixture
def sales_client(sales_user) -> Client:
    return client_for(sales_user)


@pytest.fixture
def warehouse_client(warehouse_user) -> Client:
    return client_for(warehouse_user)
