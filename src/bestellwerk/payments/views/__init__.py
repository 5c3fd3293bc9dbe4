"""Views of payments, by who uses them: `customer` (the payment page, the demo checkout,
Stripe's webhook), and for staff `box` (the order page's payments box and its answers),
`ledger` (recording and voiding payments) and `staff` (the box's own page, payment links,
the refund form)."""
