"""Automations are managed in the admin: the automation with its steps inline."""

import pytest

from bestellwerk.automations.models import Automation, StepAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    return client


def form_data(**step) -> dict:
    return {
        "name": "Kaffee-Sequenz",
        "is_active": "on",
        "trigger": "order_created",
        "trigger_status": "",
        "condition_skus": "KAF-1",
        "condition_channel": "",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-position": "1",
        "steps-0-delay": "2",
        "steps-0-delay_unit": "days",
        **{f"steps-0-{key}": value for key, value in step.items()},
    }


def test_a_step_without_what_its_action_needs_is_refused(staff_client):
    response = staff_client.post(
        "/admin/automations/automation/add/", form_data(action=StepAction.SEND_EMAIL)
    )
    assert response.status_code == 200
    assert not Automation.objects.exists()


def test_an_automation_with_an_email_step_is_saved(staff_client):
    response = staff_client.post(
        "/admin/automations/automation/add/",
        form_data(action=StepAction.SEND_EMAIL, email_template_code="coffee_tips"),
    )
    assert response.status_code == 302
    automation = Automation.objects.get()
    [step] = automation.steps.all()
    assert (step.action, step.delay, step.delay_unit, step.email_template_code) == (
        "send_email",
        2,
        "days",
        "coffee_tips",
    )
    assert automation.sku_list == ["KAF-1"]


def test_the_run_and_delivery_logs_are_read_only(staff_client):
    for path in ("automationrun", "webhookdelivery"):
        assert staff_client.get(f"/admin/automations/{path}/").status_code == 200
        assert staff_client.get(f"/admin/automations/{path}/add/").status_code == 403
