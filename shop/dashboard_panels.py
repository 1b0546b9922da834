"""The shop's dashboard panels (sales, order queues, refunds, stock, top products, new customers).

Registered from ``OrdersConfig.ready()``; figures come from the apps' selectors, each link opens the
admin list filtered to the figure.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from shop.accounts.selectors import new_customer_counts
from shop.catalog.selectors import stock_alert_counts
from shop.orders.models import PaymentStatus
from shop.orders.selectors import PAYMENT_OPEN, TO_SHIP, dashboard, order_queues, orders_for_user, sales_by_day
from skincare.charts import bar_chart_svg, chart_table
from skincare.dashboard import cached, register_customer_section, register_panel

CHART_DAYS = 30


def _changelist(model, **params):
    url = reverse(f"admin:{model}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _since_param(moment):
    return moment.isoformat()


def _orders_summary():
    return cached("orders-summary", dashboard)


def _start_of_today():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def sales_panel():
    sales = _orders_summary()["sales"]
    now = timezone.now()
    windows = [
        ("Today", sales["today"], _start_of_today()),
        ("Last 7 days", sales["last_7_days"], now - timedelta(days=7)),
        ("Last 30 days", sales["last_30_days"], now - timedelta(days=30)),
    ]
    series = sales_by_day(days=CHART_DAYS)
    points = [(date_format(row["day"], "j M"), row["revenue"]) for row in series]
    return {
        "link": _changelist("orders_order"),
        "items": [
            {
                "label": label,
                "value": f"{figures['orders']} orders · {figures['revenue']}",
                "url": _changelist("orders_order", created_at__gte=_since_param(since)),
            }
            for label, figures, since in windows
        ],
        "chart": bar_chart_svg(
            points,
            title=f"Revenue by day, last {CHART_DAYS} days",
            desc="Revenue of the orders placed each day, cancelled orders excluded.",
            chart_id="sales-by-day",
        ),
        "table": chart_table(
            [(date_format(row["day"], "j M Y"), row["revenue"]) for row in series],
            caption=f"Revenue by day, last {CHART_DAYS} days",
            label_header="Day",
            value_header="Revenue",
        ),
    }


def order_queue_panel():
    queues = cached("order-queues", lambda: order_queues(since=timezone.now() - timedelta(days=30)))
    return {
        "link": _changelist("orders_order", status__in=",".join(TO_SHIP)),
        "items": [
            {
                "label": "Orders to ship",
                "value": queues["to_ship"],
                "url": _changelist("orders_order", status__in=",".join(TO_SHIP)),
            },
            {
                "label": "Payments to capture",
                "value": queues["to_capture"],
                "url": _changelist(
                    "orders_order", payment_status__exact=PaymentStatus.PENDING, status__in=",".join(PAYMENT_OPEN)
                ),
            },
            {
                "label": "Payments failed",
                "value": queues["payment_failed"],
                "url": _changelist(
                    "orders_order", payment_status__exact=PaymentStatus.FAILED, status__in=",".join(PAYMENT_OPEN)
                ),
            },
        ],
    }


def refunds_panel():
    refunds = cached("order-queues", lambda: order_queues(since=timezone.now() - timedelta(days=30)))["refunds"]
    return {
        "link": _changelist("orders_paymentrefund"),
        "items": [
            {
                "label": "Refunded, last 30 days",
                "value": f"{refunds['completed']} · {refunds['completed_amount']}",
                "url": _changelist("orders_paymentrefund", status__exact="completed"),
            },
            {
                "label": "Refunds pending",
                "value": refunds["pending"],
                "url": _changelist("orders_paymentrefund", status__exact="pending"),
            },
        ],
    }


def top_products_panel():
    top = _orders_summary()["top_products"]
    return {
        "link": _changelist("catalog_product"),
        "note": "Units sold in the last 30 days." if top else "No sales in the last 30 days.",
        "items": [
            {
                "label": row["product_name"],
                "value": f"{row['quantity']} · {row['revenue']}",
                "url": reverse("admin:catalog_product_change", args=[row["product_id"]]) if row["product_id"] else "",
            }
            for row in top
        ],
    }


def stock_panel():
    counts = stock_alert_counts()
    return {
        "link": _changelist("catalog_product", stock="low"),
        "items": [
            {"label": "Low on stock", "value": counts["low"], "url": _changelist("catalog_product", stock="low")},
            {"label": "Out of stock", "value": counts["out"], "url": _changelist("catalog_product", stock="out")},
        ],
    }


def new_customers_panel():
    now = timezone.now()
    windows = {"days_7": now - timedelta(days=7), "days_30": now - timedelta(days=30)}
    counts = new_customer_counts(since=windows)
    labels = {"days_7": "Last 7 days", "days_30": "Last 30 days"}
    return {
        "link": _changelist("accounts_user", role__exact="customer"),
        "items": [
            {
                "label": labels[key],
                "value": counts[key],
                "url": _changelist("accounts_user", role__exact="customer", date_joined__gte=_since_param(since)),
            }
            for key, since in windows.items()
        ],
    }


def customer_orders_section(user):
    recent = list(orders_for_user(user=user).order_by("-created_at", "-id")[:5])
    return {
        "link": _changelist("orders_order", user__id__exact=user.pk),
        "items": [
            {
                "label": "Orders",
                "value": user.total_orders,
                "url": _changelist("orders_order", user__id__exact=user.pk),
            },
            {"label": "Total spent", "value": user.total_spent, "url": ""},
            *(
                {
                    "label": f"{order.order_number} · {timezone.localtime(order.created_at):%Y-%m-%d}",
                    "value": f"{order.get_status_display()} · {order.total}",
                    "url": reverse("admin:orders_order_change", args=[order.pk]),
                }
                for order in recent
            ),
        ],
    }


def customer_community_section(user):
    return {
        "link": "",
        "items": [
            {"label": "Community score", "value": user.community_score, "url": ""},
            {"label": "Reviews written", "value": user.reviews_written, "url": ""},
            {"label": "Helpful votes received", "value": user.helpful_votes_received, "url": ""},
            {"label": "Answers provided", "value": user.answers_provided, "url": ""},
        ],
    }


def register():
    register_panel(key="sales", title="Sales", permission="orders.view_order", build=sales_panel, order=10)
    register_panel(
        key="order-queues", title="Orders to act on", permission="orders.view_order", build=order_queue_panel, order=20
    )
    register_panel(
        key="refunds", title="Refunds", permission="orders.view_paymentrefund", build=refunds_panel, order=30
    )
    register_panel(
        key="top-products", title="Top products", permission="orders.view_order", build=top_products_panel, order=40
    )
    register_panel(key="stock", title="Stock", permission="catalog.view_product", build=stock_panel, order=50)
    register_panel(
        key="new-customers",
        title="New customers",
        permission="accounts.view_user",
        build=new_customers_panel,
        order=60,
    )
    register_customer_section(
        key="orders", title="Orders", permission="orders.view_order", build=customer_orders_section, order=10
    )
    register_customer_section(
        key="community",
        title="Community",
        permission="accounts.view_user",
        build=customer_community_section,
        order=40,
    )
