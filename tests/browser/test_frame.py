"""The frame in a real browser: sign in, switch the language, sign out."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_sign_in_shows_the_users_name_and_german_navigation(logged_in_page):
    page = logged_in_page

    assert page.get_by_test_id("current-user").inner_text() == "Bruno Browser"
    assert page.get_by_role("link", name="Bestellungen").is_visible()
    assert page.get_by_role("link", name="Einstellungen").is_visible()


def test_switching_to_english_changes_the_labels_and_sticks(logged_in_page, browser_user):
    page = logged_in_page

    # when
    page.get_by_role("button", name="English").click()

    # then
    page.get_by_role("link", name="Customers").wait_for()
    assert page.get_by_role("button", name="Sign out").is_visible()
    browser_user.refresh_from_db()
    assert browser_user.language == "en"


def test_sign_out_returns_to_the_login_form(logged_in_page, live_server):
    page = logged_in_page

    page.get_by_role("button", name="Abmelden").click()

    page.wait_for_url(f"{live_server.url}/login/")
    assert page.get_by_label("Benutzername").is_visible()
