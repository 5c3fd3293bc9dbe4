"""Recording a payment staff saw arrive, and voiding a mistaken one, from the payments box.

Recording takes two steps: the form is checked by running the real service and rolling it
back, and the box asks to confirm the amount for the order with what follows from it; only
the confirmed post records. Voiding needs a reason. Either answers with the box, refusals
inside it, and on success with the order page's money sections too (`box.render_box`).
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.forms import parse_version
from bestellwerk.orders.view_errors import describe_service_error
from bestellwerk.orders.views.page import load_order, request_actor, requires
from bestellwerk.orders.views.preview import dry_run
from bestellwerk.payments import selectors, services
from bestellwerk.payments.forms import ManualPaymentForm, VoidPaymentForm
from bestellwerk.payments.views.box import payment_form_for, render_box
from bestellwerk.payments.views.staff import next_url


@require_POST
@requires("orders.payments")
def record_payment(request: HttpRequest, number: int) -> HttpResponse:
    form = payment_form_for(load_order(number), request.POST)
    data = request.POST
    if data.get("edit") == "1" or not form.is_valid():
        return render_box(request, number, payment_form=form)

    def record() -> object:
        return services.record_manual_payment(
            number=number,
            actor=request_actor(request),
            expected_version=parse_version(data),
            **form.service_arguments(),
        )

    if data.get("confirmed") != "1":
        try:
            outcome = dry_run(number, record)
        except ServiceError as error:
            return _refused(request, number, error, payment_form=form)
        after = outcome.after
        return render_box(
            request,
            number,
            payment_form=form,
            confirm=after,
            confirm_owed=selectors.amount_owed(order=after),
            confirm_refund_owed=selectors.amount_to_refund(order=after),
        )
    return _change(
        request,
        number,
        record,
        done=_("Payment recorded."),
        payment_form=form,
    )


@require_POST
@requires("orders.payments")
def void_payment(request: HttpRequest, number: int, payment_id: int) -> HttpResponse:
    form = VoidPaymentForm(request.POST)
    if not form.is_valid():
        return render_box(request, number, void_form=form, void_for=payment_id)
    return _change(
        request,
        number,
        lambda: services.void_payment(
            number=number,
            payment_id=payment_id,
            reason=form.cleaned_data["reason"],
            actor=request_actor(request),
            expected_version=parse_version(request.POST),
        ),
        done=_("Payment voided."),
        void_form=form,
        void_for=payment_id,
    )


def _change(
    request: HttpRequest,
    number: int,
    change: Callable[[], object],
    *,
    done: str,
    **on_error: ManualPaymentForm | VoidPaymentForm | int,
) -> HttpResponse:
    """Make the change; answer with the changed box, or the refusal beside the form."""
    try:
        change()
    except ServiceError as error:
        return _refused(request, number, error, **on_error)
    if not request.htmx:
        messages.success(request, done)
        return redirect(next_url(request, number))
    return render_box(request, number, changed=True)


def _refused(
    request: HttpRequest, number: int, error: ServiceError, **context: object
) -> HttpResponse:
    return render_box(request, number, error=describe_service_error(error), **context)
