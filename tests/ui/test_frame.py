"""Sign-in, the navigation frame, role-based hiding and the language switch."""

import pytest
from django.test import Client

from bestellwerk.accounts.models import User


def test_anonymous_user_is_sent_to_the_login_page(db):
    # when
    response = Client().get("/orders/")

    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/orders/")


def test_login_page_is_german_by_default(db):
    response = Client().get("/login/")

    assert response.status_code == 200
    assert "Benutzername" in response.text
    assert "Passwort" in response.text


def test_signing_in_with_the_form_lands_on_the_order_list(sales_user):
    # given
    client = Client()

    # when
    response = client.post("/login/", {"username": "sam", "password": "pw-sam-12345"}, follow=True)

    # then
    assert response.redirect_chain[-1][0] == "/orders/"
    assert "sam" in response.text


def test_wrong_password_shows_an_error_and_no_session(sales_user):
    client = Client()

    response = client.post("/login/", {"username": "sam", "password": "wrong"})

    assert response.status_code == 200
    assert "alert-danger" in response.text
    assert client.get("/orders/").status_code == 302


def test_root_redirects_to_the_order_list(sales_client):
    response = sales_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/orders/"


def test_admin_sees_settings_link_sales_does_not(admin_client_ui, sales_client):
    admin_page = admin_client_ui.get("/orders/").text
    sales_page = sales_client.get("/orders/").text

    assert 'href="/admin/"' in admin_page
    assert 'href="/admin/"' not in sales_page


def test_warehouse_does_not_see_customers_in_the_navigation(warehouse_client):
    page = warehouse_client.get("/orders/").text

    assert 'href="/customers/"' not in page
    assert 'href="/products/"' in page


@pytest.mark.parametrize(
    ("client_fixture", "url", "expected"),
    [
        ("admin_client_ui", "/customers/", 200),
        ("sales_client", "/customers/", 200),
        ("warehouse_client", "/customers/", 403),
        ("warehouse_client", "/products/", 200),
        ("warehouse_client", "/orders/", 200),
    ],
)
def test_pages_check_the_role(request, client_fixture, url, expected):
    client = request.getfixturevalue(client_fixture)

    assert client.get(url).status_code == expected


def test_language_switch_is_saved_on_the_user_and_the_ui_follows(sales_user, sales_client):
    # when
    response = sales_client.post("/language/", {"language": "en", "next": "/customers/"})

    # then
    assert response.status_code == 302
    assert response["Location"] == "/customers/"
    sales_user.refresh_from_db()
    assert sales_user.language == "en"
    page = sales_client.get("/orders/").text
    assert ">Customers</a>" in page
    assert "Kunden" not in page


def test_language_switch_refuses_unknown_languages_and_foreign_redirects(sales_client):
    assert sales_client.post("/language/", {"language": "fr"}).status_code == 400
    assert User.objects.get(username="sam").language == "de"

    response = sales_client.post("/language/", {"language": "en", "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_language_switch_needs_post(sales_client):
    assert sales_client.get("/language/?language=en").status_code == 405


def test_logout_ends_the_session(sales_client):
    response = sales_client.post("/logout/")

    assert response.status_code == 302
    assert sales_client.get("/orders/").status_code == 302


def test_forbidden_page_explains_itself_in_german(warehouse_client):
    response = warehouse_client.get("/customers/")

    assert response.status_code == 403
    assert "Nicht erlaubt" in response.text
    assert 'href="/orders/"' in response.text


def test_every_page_of_ours_is_private_and_switches_off_unused_features(sales_client, client):
    for response in (
        sales_client.get("/orders/"),
        client.get("/login/"),
        client.get("/api/v1/orders"),
        client.get("/pay/no-such-token-0123456789abcdef/"),
    ):
        assert "no-store" in response["Cache-Control"], response
        assert "camera=()" in response["Permissions-Policy"]
