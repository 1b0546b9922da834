from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularSwaggerSplitView

from skincare import health
from skincare.api.schema_view import SchemaView
from skincare.observability.metrics import metrics_view

handler400 = "skincare.api.views.handler400"
handler403 = "skincare.api.views.handler403"
handler404 = "skincare.api.views.handler404"
handler500 = "skincare.api.views.handler500"

api_v1 = [
    # The catalog, the cart and the reviews first: the reads shoppers make most are resolved after the
    # fewest patterns (no route is shadowed in either order: skincare/tests/test_url_order.py).
    path("", include("shop.catalog.urls")),
    path("", include("shop.cart.urls")),
    path("", include("reviews.urls")),
    path("", include("shop.accounts.urls")),
    path("", include("shop.files.urls")),
    path("", include("shop.wishlist.urls")),
    path("", include("shop.coupons.urls")),
    path("", include("shop.orders.urls")),
    path("", include("shop.subscriptions.urls")),
    path("", include("feedback.urls")),
    path("", include("ml.urls")),
    path("", include("ml.skin_analysis.urls")),
    path("", include("ml.goals.urls")),
    path("", include("skincare.observability.urls")),
]

urlpatterns = [
    # First: an API request is then resolved without trying the shop's ~100 page patterns (no page or
    # admin pattern can match a path under api/v1/, and URL names are unique, so nothing else changes).
    path("api/v1/", include(api_v1)),
    path("", include("shop.storefront.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("reviews/", include("reviews.page_urls")),
    path("journal/", include("reviews.journal_urls")),
    path("skin/", include("ml.skin_analysis.page_urls")),
    path("accounts/", include("shop.accounts.page_urls")),
    path("account/notifications/", include("feedback.page_urls")),
    path("account/", include("reviews.account_urls")),
    path("account/subscription/", include("shop.subscriptions.page_urls")),
    path("account/", include("ml.goals.page_urls")),
    path("recommendations/", include("ml.page_urls")),
    path("health", health.liveness, name="health"),
    path("health/ready", health.readiness, name="health-ready"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script as a file (?script), so the CSP needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]

if settings.SERVE_MEDIA:
    # Public media only; private files are streamed by the file view after a permission check.
    urlpatterns.append(
        re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )
