"""The order page: create a draft, then edit it section by section with htmx.

One module per section of `orders/order_page.html`; `page` holds the page itself and the
machinery every section's changes go through, `lookups` the typeahead searches, `preview`
the dry run of a change and `confirm` the confirmation that changes to a paid order's money
need.
"""
