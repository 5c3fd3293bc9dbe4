"""Staff pages: thin views that call selectors and services and render templates."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from bestellwerk.accounts.permissions import has_permission, permission_required_for
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.models import ShopSettings
from bestellwerk.core.search import MAX_QUERY_LENGTH
from bestellwerk.customers.models import Customer
from bestellwerk.jobs.models import JobKind
from bestellwerk.jobs.services import start_job
from bestellwerk.orders.models import OrderStatus
from bestellwerk.orders.selectors import (
    OrderFilters,
    count_orders_by_status,
    list_orders,
)
from bestellwerk.orders.view_errors import describe_service_error
from bestellwerk.staff.forms import (
    BULK_ACTION_CHOICES,
    BULK_CAPABILITIES,
    EXPORT_PRESETS,
    FILTER_FIELDS,
    MAX_BULK_ORDERS,
    UNASSIGNED,
    BulkAction,
    BulkActionForm,
    OrderExportForm,
    OrderFilterForm,
    tag_suggestions,
)
from bestellwerk.staff.selectors import (
    filter_querystring,
    matching_count,
    numbers_matching,
    search_customers,
    search_products,
    status_tabs,
    summarize_status_change,
)
from bestellwerk.staff.services import (
    bulk_assign_orders,
    bulk_change_order_tags,
    bulk_set_order_status,
    set_user_language,
)
from bestellwerk.transfer.exporting import (
    CONTENT_TYPE,
    ExportOptions,
    count_export,
    export_csv,
    export_filename,
)

LIST_PAGE_SIZE = 50
# The order list's own refusals, in the user's language.
LIST_ERRORS = {
    "invalid_cursor": gettext_lazy("This page link is no longer valid: start from the first page."),
    "invalid_filter": gettext_lazy("A filter value is not valid."),
}
CUSTOMER_ORDERS_SHOWN = 20


class StaffLoginView(LoginView):
    template_name = "staff/login.html"
    redirect_authenticated_user = True


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
@login_required
def set_language(request: HttpRequest) -> HttpResponse:
    try:
        user = set_user_language(user=request.user, language=request.POST.get("language", ""))
    except ServiceError:
        return HttpResponse(status=400)
    translation.activate(user.language)
    return HttpResponseRedirect(_safe_next(request, "/"))


def home(request: HttpRequest) -> HttpResponse:
    return redirect("staff:order_list")


def _order_list_context(request: HttpRequest) -> dict[str, Any]:
    form = OrderFilterForm(request.GET)
    context: dict[str, Any] = {
        "nav_section": "orders",
        "form": form,
        "sort": "-created",
        "orders": [],
        "next_cursor": None,
        "status_tabs": [],
        "matching_count": 0,
        "error": "",
    }
    if not form.is_valid():
        return context
    filters = form.to_filters()
    try:
        page = list_orders(
            filters,
            sort=form.chosen_sort,
            limit=form.page_size,
            cursor=form.cleaned_data["cursor"] or None,
        )
        counts = count_orders_by_status(filters)
        matching = matching_count(counts, selected=filters.status)
    except ServiceError as error:
        context["error"] = LIST_ERRORS.get(error.code, error.message)
        return context
    context.update(
        sort=form.chosen_sort,
        orders=page.items,
        next_cursor=page.next_cursor,
        is_first_page=not form.cleaned_data["cursor"],
        status_tabs=status_tabs(counts, selected=filters.status),
        matching_count=matching[0],
        matching_precision=matching[1],
        filter_query=filter_querystring(request.GET),
        has_filters=any(request.GET.get(name) for name in FILTER_FIELDS),
        customer=Customer.objects.filter(pk=filters.customer).first() if filters.customer else None,
        tag_names=tag_suggestions(),
        bulk_form=BulkActionForm(assignee_choices=form.fields["assignee"].choices[2:]),
        export_presets=[(key, label) for key, (_shape, label) in EXPORT_PRESETS.items()],
    )
    return context


@permission_required_for("orders.view")
def order_list(request: HttpRequest) -> HttpResponse:
    context = _order_list_context(request)
    if request.htmx and not request.htmx.boosted:
        return render(request, "staff/order_list.html#results", context)
    return render(request, "staff/order_list.html", context)


def _search_term(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]


def _render_list(
    request: HttpRequest, template: str, queryset: Any, context: dict[str, Any]
) -> HttpResponse:
    """A searchable list page; htmx requests get only the results partial."""
    paginator = Paginator(queryset, LIST_PAGE_SIZE)
    context["page"] = paginator.get_page(request.GET.get("page"))
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


@permission_required_for("customers.view")
def customer_list(request: HttpRequest) -> HttpResponse:
    query = _search_term(request)
    return _render_list(
        request,
        "staff/customer_list.html",
        search_customers(query),
        {"nav_section": "customers", "q": query},
    )


@permission_required_for("customers.view")
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer.objects.prefetch_related("tags"), pk=pk)
    orders = list_orders(OrderFilters(customer=customer.pk), limit=CUSTOMER_ORDERS_SHOWN)
    context = {
        "nav_section": "customers",
        "customer": customer,
        "orders": orders.items,
        "more_orders": orders.next_cursor is not None,
    }
    return render(request, "staff/customer_detail.html", context)


@permission_required_for("products.view")
def product_list(request: HttpRequest) -> HttpResponse:
    query = _search_term(request)
    shop = ShopSettings.load()
    threshold = shop.low_stock_threshold
    low_stock = request.GET.get("low_stock") == "1"
    return _render_list(
        request,
        "staff/product_list.html",
        search_products(query, low_stock_below=threshold if low_stock else None),
        {
            "nav_section": "products",
            "q": query,
            "low_stock": low_stock,
            "threshold": threshold,
            "currency": shop.currency,
        },
    )


def _list_url(filter_query: str) -> str:
    base = reverse("staff:order_list")
    return f"{base}?{filter_query}" if filter_query else base


def _apply_bulk_action(request: HttpRequest, form: BulkActionForm, numbers: list[int]) -> None:
    data = form.cleaned_data
    actor = Actor.for_user(request.user)
    action = data["action"]
    if action == BulkAction.STATUS:
        outcome = bulk_set_order_status(
            numbers=numbers,
            status=data["status"],
            actor=actor,
            adjust_stock=data["adjust_stock"],
            notify_customer=data["notify_customer"],
            notify_admins=data["notify_admins"],
        )
    elif action == BulkAction.ASSIGN:
        assignee = None if data["assignee"] == UNASSIGNED else data["assignee"]
        outcome = bulk_assign_orders(numbers=numbers, actor=actor, assignee=assignee)
    else:
        tags = data["tags"]
        add, remove = (tags, None) if action == BulkAction.ADD_TAGS else (None, tags)
        outcome = bulk_change_order_tags(numbers=numbers, actor=actor, add=add, remove=remove)
    if outcome.done:
        count = len(outcome.done)
        messages.success(
            request,
            ngettext("%(count)d order changed.", "%(count)d orders changed.", count)
            % {"count": count},
        )
    for failure in outcome.failed:
        described = describe_service_error(failure.error)
        reason = " ".join([described.message, *described.details])
        messages.error(
            request,
            gettext("Order %(number)s was not changed: %(reason)s")
            % {"number": failure.number, "reason": reason},
        )


@require_POST
@permission_required_for("orders.view")
def order_bulk(request: HttpRequest) -> HttpResponse:
    """Bulk actions: the first POST shows a summary of what would change, the second
    (with `confirm`) applies it to the numbers frozen in the summary."""
    form = BulkActionForm(request.POST)
    filter_query = filter_querystring(QueryDict(request.POST.get("filters", "")))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_list_url(filter_query))
    data = form.cleaned_data
    if not has_permission(request.user, BULK_CAPABILITIES[data["action"]]):
        raise PermissionDenied(BULK_CAPABILITIES[data["action"]])
    confirmed = request.POST.get("confirm") == "1"
    numbers = (
        numbers_matching(filter_query) if data["all_matching"] and not confirmed else data["orders"]
    )
    if len(numbers) > MAX_BULK_ORDERS:
        messages.error(
            request,
            gettext("At most %(count)d orders at once: narrow the filter.")
            % {"count": MAX_BULK_ORDERS},
        )
        return redirect(_list_url(filter_query))
    if not numbers:
        messages.error(request, gettext("No order matches the selection."))
        return redirect(_list_url(filter_query))
    if confirmed:
        _apply_bulk_action(request, form, numbers)
        return redirect(_list_url(filter_query))
    summary = (
        summarize_status_change(numbers=numbers, status=data["status"])
        if data["action"] == BulkAction.STATUS
        else None
    )
    context = {
        "nav_section": "orders",
        "form": form,
        "data": data,
        "numbers": numbers,
        "summary": summary,
        "filter_query": filter_query,
        "list_url": _list_url(filter_query),
        "action_label": dict(BULK_ACTION_CHOICES)[data["action"]],
        "status_label": dict(OrderStatus.choices).get(data["status"], ""),
        "assignee_label": dict(form.fields["assignee"].choices).get(data["assignee"], ""),
    }
    return render(request, "staff/order_bulk_preview.html", context)


# Up to this many orders the file comes at once; more are written by a background job.
DIRECT_EXPORT_LIMIT = 5_000


@permission_required_for("orders.export")
@require_POST
def order_export(request: HttpRequest) -> HttpResponse:
    """The list's export: the ticked orders or every order the filter matches, as CSV right
    away, or as a job with progress and a download when there are many."""
    form = OrderExportForm(request.POST)
    filter_query = filter_querystring(QueryDict(request.POST.get("filters", "")))
    filters = OrderFilterForm(QueryDict(filter_query))
    if not form.is_valid() or not filters.is_valid():
        messages.error(request, gettext("The export could not be started: check the filters."))
        return redirect(_list_url(filter_query))
    (file_format, layout, dialect), _label = EXPORT_PRESETS[form.cleaned_data["preset"]]
    options = ExportOptions(
        filters=filters.to_filters(),
        numbers=tuple(form.cleaned_data["orders"]),
        format=file_format,
        layout=layout,
        dialect=dialect,
    )
    try:
        count = count_export(options)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(_list_url(filter_query))
    if count <= DIRECT_EXPORT_LIMIT:
        response = StreamingHttpResponse(export_csv(options), content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{export_filename(options)}"'
        return response
    job = start_job(kind=JobKind.EXPORT, user=request.user, options=options.as_data())
    return redirect("jobs:detail", job_id=job.pk)
