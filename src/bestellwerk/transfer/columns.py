"""The columns the import writes with COPY, table by table (the bench data generator writes
the same tables with them). Every row gives every column, ids included."""

ORDER_FIELDS = [
    "id", "number", "status", "payment_status", "channel", "lead_source_id", "customer_id",
    "assignee_id", "billing_address", "shipping_address", "shipping_same_as_billing",
    "payment_method_id", "payment_method_name", "shipping_method_id", "shipping_method_name",
    "coupon_id", "coupon_code", "currency", "subtotal", "discount_total", "shipping_total",
    "net_total", "tax_total", "total", "tax_breakdown", "paid_total", "refunded_total",
    "credited_total", "balance", "version", "stock_held", "external_source", "external_id",
    "external_number", "search_document", "placed_at", "created_at", "updated_at",
]  # fmt: skip
LINE_FIELDS = [
    "order_id", "position", "product_id", "sku", "name", "unit_price", "vat_rate", "quantity",
    "subtotal", "discount", "total", "tax", "stock_deducted", "refunded_quantity",
]  # fmt: skip
EVENT_FIELDS = [
    "id", "order_id", "type", "data", "actor_kind", "actor_user_id", "actor_label",
    "actor_token_id", "created_at", "dispatched_at",
]  # fmt: skip
PAYMENT_FIELDS = [
    "id", "order_id", "provider", "method_id", "reference", "refund_reference", "amount",
    "currency", "paid_at", "voided_payment_id", "reason", "created_at", "actor_kind",
    "actor_user_id", "actor_label",
]  # fmt: skip
REFUND_FIELDS = [
    "id", "order_id", "payment_id", "provider", "status", "amount", "shipping_amount",
    "credited_amount", "currency", "reason", "restock", "notify_customer", "set_status_refunded",
    "provider_reference", "failure_message", "idempotency_key", "request_fingerprint",
    "created_at", "completed_at", "checked_at", "actor_kind", "actor_user_id", "actor_label",
]  # fmt: skip
SHIPMENT_FIELDS = [
    "id", "order_id", "carrier_id", "carrier_name", "tracking_code", "tracking_url",
    "created_at", "updated_at",
]  # fmt: skip
# What the lines decide of an order's money (the ledger sums are kept apart).
TOTALS_FIELDS = (
    "subtotal", "discount_total", "shipping_total", "net_total", "tax_total", "total",
    "tax_breakdown",
)  # fmt: skip
REDEMPTION_FIELDS = ["coupon_id", "order_id", "customer_id", "created_at"]
NOTE_FIELDS = ["id", "order_id", "body", "author_id", "author_label", "created_at"]
CUSTOMER_FIELDS = [
    "id", "email", "first_name", "last_name", "company", "phone", "vat_id", "line1", "line2",
    "postal_code", "city", "region", "country", "language", "search_document", "created_at",
    "updated_at",
]  # fmt: skip
