"""The demo shop: a German tea, coffee and spice shop with 18 months of history.

The top floor of the project: it uses every app, and none uses it. `seed` is its entry
point; `plan` decides the orders, `people`, `catalog` and `orders` write them through the
services, `backdate` moves them to their time, and `data` holds the tables.

Everything is generated from one seeded `random.Random`, so the same scale and seed give
the same catalogue, customers, order numbers, statuses and totals (on the same day: dates
count back from today, with the seasons of the calendar). Orders are built through
the real services (create_order, set_order_status, add_shipment, …) so totals, events,
stock movements, coupon redemptions and search documents are exactly what staff would have
produced by hand. Two things the services cannot know are added afterwards:

- *when* it happened: services stamp rows with the present, so each order's events,
  stock movements, shipments and notes are moved back to the order's own timeline;
- that the history is not news: its events are marked dispatched and nothing is queued, so
  e-mails, automations and webhooks never fire for two-year-old demo orders.
"""
