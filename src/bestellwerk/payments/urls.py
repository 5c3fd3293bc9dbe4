from django.urls import path

from bestellwerk.payments import views

app_name = "payments"

urlpatterns = [
    # Public, for customers: an unguessable token is the only key.
    path("pay/<str:token>/", views.pay, name="pay"),
    path("pay/<str:token>/checkout/", views.pay_checkout, name="pay_checkout"),
    path("pay/demo-checkout/<str:session>/", views.demo_checkout, name="demo_checkout"),
    path("payments/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    # Staff.
    path("orders/<int:number>/payments/", views.order_payments, name="order_payments"),
    path("orders/<int:number>/payment-link/", views.send_link, name="send_link"),
    path("orders/<int:number>/refunds/new", views.refund_new, name="refund_new"),
]
