"""Customer list and page, product list with the low-stock filter."""

import re

from bestellwerk.catalog.services import create_product
from bestellwerk.core.models import ShopSettings
from bestellwerk.customers.services import create_customer


def customers_in(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'<tr data-customer="(\d+)"', response.text)}


def skus_in(response) -> set[str]:
    return set(re.findall(r'<tr data-sku="([^"]+)"', response.text))


def test_customer_search_over_name_email_company_and_city(sales_client):
    # given
    berg = create_customer(email="kai@berg.de", first_name="Kai", last_name="Berg", city="Köln")
    firma = create_customer(email="info@acme.de", company="Acme GmbH", city="Berlin")

    # then
    assert customers_in(sales_client.get("/customers/?q=berg")) == {berg.pk}
    assert customers_in(sales_client.get("/customers/?q=acme")) == {firma.pk}
    assert customers_in(sales_client.get("/customers/?q=berlin")) == {firma.pk}
    assert customers_in(sales_client.get("/customers/?q=kai köln")) == {berg.pk}
    assert customers_in(sales_client.get("/customers/?q=info@acme")) == {firma.pk}
    assert customers_in(sales_client.get("/customers/")) == {berg.pk, firma.pk}
    assert customers_in(sales_client.get("/customers/?q=nobody")) == set()


def test_customer_list_htmx_returns_the_results_only(sales_client):
    create_customer(email="kai@berg.de", last_name="Berg")

    response = sales_client.get("/customers/?q=berg", headers={"HX-Request": "true"})

    assert response.text.lstrip().startswith('<div id="customer-results"')


def test_customer_page_shows_data_tags_and_orders(sales_client, order, make_order):
    # given
    customer = order.customer
    other = make_order(email="someone@else.de")
    customer.tags.create(name="Stammkunde")

    # when
    response = sales_client.get(f"/customers/{customer.pk}/")

    # then
    assert response.status_code == 200
    assert "erika@example.de" in response.text
    assert "Stammkunde" in response.text
    assert f'data-order="{order.number}"' in response.text
    assert f'data-order="{other.number}"' not in response.text


def test_customer_page_is_404_for_an_unknown_customer(sales_client, db):
    assert sales_client.get("/customers/999999/").status_code == 404


def test_warehouse_may_not_see_customers(warehouse_client, order):
    assert warehouse_client.get("/customers/").status_code == 403
    assert warehouse_client.get(f"/customers/{order.customer.pk}/").status_code == 403


def test_product_list_search_and_low_stock_filter(warehouse_client, coffee, mug, actor):
    # given: coffee 10, mug 5, threshold 5 by default, one product without stock tracking
    create_product(
        sku="GUT-1", name="Gutschein", price="25.00", vat_rate="0", track_stock=False, actor=actor
    )

    # then
    assert skus_in(warehouse_client.get("/products/")) == {"KAF-1", "TAS-1", "GUT-1"}
    assert skus_in(warehouse_client.get("/products/?q=kaffee")) == {"KAF-1"}
    assert skus_in(warehouse_client.get("/products/?q=tas")) == {"TAS-1"}
    assert skus_in(warehouse_client.get("/products/?low_stock=1")) == {"TAS-1"}


def test_low_stock_threshold_comes_from_the_shop_settings(sales_client, coffee, mug):
    settings = ShopSettings.load()
    settings.low_stock_threshold = 10
    settings.save()

    response = sales_client.get("/products/?low_stock=1")

    assert skus_in(response) == {"KAF-1", "TAS-1"}
    assert "höchstens 10" in response.text


def test_lists_render_in_a_fixed_number_of_queries(
    sales_client, make_order, django_assert_max_num_queries
):
    for index in range(30):
        make_order(email=f"c{index}@example.de")

    with django_assert_max_num_queries(6):
        customers = sales_client.get("/customers/")
    with django_assert_max_num_queries(6):
        products = sales_client.get("/products/")

    assert len(customers_in(customers)) == 30
    assert skus_in(products) == {"KAF-1", "TAS-1"}
