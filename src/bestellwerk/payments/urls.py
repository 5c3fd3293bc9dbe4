from django.urls import path

from bestellwerk.payments.views import customer, ledger, staff

app_name = "payments"

urlpatterns = [
    # Public, for customers: an unguessable token is the only key.
    path("pay/<str:token>/", customer.pay, name="pay"),
    path("pay/<str:token>/checkout/", customer.pay_checkout, name="pay_checkout"),
    path("pay/demo-checkout/<str:session>/", customer.demo_checkout, name="demo_checkout"),
    path("payments/stripe/webhook/", customer.stripe_webhook, name="stripe_webhook"),
    # Staff.
    path("orders/<int:number>/payments/", staff.order_payments, name="order_payments"),
    path("orders/<int:number>/payments/record", ledger.record_payment, name="record"),
    path("orders/<int:number>/payments/<int:payment_id>/void", ledger.void_payment, name="void"),
    path("orders/<int:number>/payment-link/", staff.send_link, name="send_link"),
    path("orders/<int:number>/refunds/new", staff.refund_new, name="refund_new"),
]
