"""The shop's pages. Thin: reads come from selectors, writes from the shop apps' services.

Services raise ``ApplicationError`` (code, shopper-readable message, field errors); a page catches it
and shows the message next to the form it came from, with the error's 4xx status.
"""

import re
import uuid
from functools import partial, wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, SimpleRateThrottle, UserRateThrottle

from shop.accounts import selectors as account_selectors
from shop.accounts import services as account_services
from shop.accounts.forms import AddressForm
from shop.accounts.models import Address, Language
from shop.accounts.serializers import ProfileInput
from shop.cart import services as cart_services
from shop.cart.selectors import cart_price
from shop.cart.shipping import shipping_method as shipping_method_get
from shop.cart.shipping import shipping_methods
from shop.catalog import cache as catalog_cache
from shop.catalog import search
from shop.catalog import selectors as catalog_selectors
from shop.catalog import services as catalog_services
from shop.catalog.apis import public_product_payload
from shop.files.services import file_url, profile_picture_remove, profile_picture_set
from shop.orders import services as order_services
from shop.orders.models import OrderStatus, PaymentMethod, PaymentStatus
from shop.orders.selectors import (
    order_for_guest,
    order_for_guest_number,
    order_for_user,
    orders_for_user,
    replenishment_opt_outs,
)
from shop.orders.serializers import CheckoutInput
from shop.storefront import labels, selectors, services
from shop.storefront.templatetags.storefront import money
from shop.wishlist import services as wishlist_services
from skincare.api.error_codes import ApiErrorCode
from skincare.api.exceptions import error_status
from skincare.errors import ApplicationError

ORDERS_PER_PAGE = 20
ORDER_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,50}$")


def _throttle_check(request, throttle=None):
    """A 429 page when this client is over the API's rate (same scopes: anon by IP, user by id; or
    the ``throttle`` given)."""
    throttle = throttle or (UserRateThrottle() if request.user.is_authenticated else AnonRateThrottle())
    if throttle.allow_request(request, None):
        return None
    wait = int(throttle.wait() or 1)
    response = render(request, "storefront/too_many_requests.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


class _UploadScope:
    throttle_scope = "upload"


def upload_throttle_check(request):
    """A 429 page when this shopper is over the API's upload rate (scope ``upload``, as the upload endpoints)."""
    throttle = ScopedRateThrottle()
    if throttle.allow_request(request, _UploadScope()):
        return None
    wait = int(throttle.wait() or 1)
    response = render(request, "storefront/too_many_requests.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def throttled(view):
    """The API's throttles on a page's POST."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return _throttle_check(request) or view(request, *args, **kwargs)

    return wrapper


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _positive_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


# --- Home and catalog ---------------------------------------------------------------------


@require_GET
def home(request):
    user = request.user
    version = selectors.list_version(request=request)
    featured, new_products = selectors.home_sections(version=version)
    context = {"featured": featured, "new_products": new_products}
    if user.is_authenticated and user.skin_type:
        context["skin_type"] = user.skin_type
        context["for_skin_type"] = selectors.home_for_skin_type(user.skin_type, version=version)
    return render(request, "home.html", context)


def _listing(request, *, title, category=None, search_page=False):
    listing = selectors.product_listing(
        request.GET, path=request.path, category=category, version=selectors.list_version(request=request)
    )
    context = {
        "title": title,
        "category": category,
        "listing": listing,
        "filter_options": selectors.filter_options(),
        "selected": listing.selected,
        "sorts": labels.SORTS,
        "search_query": listing.selected.get("q", ""),
        "search_page": search_page,
        "fragment_timeout": catalog_cache.LIST_TIMEOUT,
    }
    if listing.selected.get("q") and not listing.errors:
        context["did_you_mean"] = selectors.spelling_suggestion(listing.selected["q"])
    if listing.page is not None and listing.page.paginator.count == 0:
        context["suggestions"] = search.suggestions(listing.selected.get("q", "")) if listing.selected.get("q") else {}
        context["alternatives"] = selectors.home_featured(version=listing.version)
    status = 400 if listing.errors else 200
    return render(request, "storefront/listing.html", context, status=status)


@require_GET
def category(request, slug):
    node = catalog_selectors.category_get(slug)
    if node is None or node["slug"] != slug:
        raise Http404
    return _listing(request, title=node, category=node)


@require_GET
def search_results(request):
    return _listing(request, title=None, search_page=True)


def _product_context(request, slug):
    try:
        product = public_product_payload(slug)
    except ApplicationError as exc:
        raise Http404 from exc
    if product["slug"] != slug:
        raise Http404
    version = selectors.list_version(request=request)
    return {
        "product": product,
        # Called by the template only when its cached fragment is missing.
        "related": partial(selectors.product_related, product, version=version),
        "page_list_timeout": settings.PRODUCT_PAGE_LIST_TIMEOUT,
        "in_wishlist": selectors.in_wishlist(user=request.user, product_id=product["id"]),
        "breadcrumbs": product["breadcrumbs"],
    }


@require_GET
def product(request, slug):
    context = _product_context(request, slug)
    catalog_services.product_record_view(product_id=context["product"]["id"])
    return render(request, "storefront/product.html", context)


# --- Cart ---------------------------------------------------------------------------------


def _cart_context(request, cart):
    prices, coupon, coupon_problem = cart_price(cart, user=request.user)
    return {"cart": cart, "prices": prices, "coupon": coupon, "coupon_problem": coupon_problem}


@require_GET
def cart_page(request):
    cart = cart_services.cart_resolve(request=request, create=False)
    context = _cart_context(request, cart) if cart is not None else {"cart": None}
    return render(request, "storefront/cart.html", context)


def _cart_error(request, exc, *, form, line_id=None):
    cart = cart_services.cart_resolve(request=request, create=False)
    context = _cart_context(request, cart) if cart is not None else {"cart": None}
    if error_status(exc) == 404:
        form, line_id = "general", None  # the line is not in this cart: no form to put it next to
    context.update({"form_error": {"form": form, "message": exc.message, "line_id": line_id}})
    return render(request, "storefront/cart.html", context, status=error_status(exc))


@require_POST
@throttled
def cart_add(request):
    product_id = _positive_int(request.POST.get("product_id"))
    variant_id = _positive_int(request.POST.get("variant_id")) if request.POST.get("variant_id") else None
    quantity = _positive_int(request.POST.get("quantity") or "1")
    slug = request.POST.get("slug", "")
    try:
        if product_id is None:
            raise ApplicationError(ApiErrorCode.VALIDATION_ERROR, _("Choose a product."))
        if quantity is None:
            raise ApplicationError(ApiErrorCode.VALIDATION_ERROR, _("Enter a quantity of at least 1."))
        cart = cart_services.cart_resolve(request=request)
        cart_services.cart_add_line(cart=cart, product_id=product_id, variant_id=variant_id, quantity=quantity)
    except ApplicationError as exc:
        if not slug:
            return _cart_error(request, exc, form="add")
        context = _product_context(request, slug)
        context["cart_error"] = exc.message
        return render(request, "storefront/product.html", context, status=error_status(exc))
    messages.success(request, _("Added to your cart."))
    return redirect("shop:cart")


@require_POST
@throttled
def cart_line_update(request, line_id):
    cart = cart_services.cart_resolve(request=request)
    try:
        if "remove" in request.POST:
            cart_services.cart_remove_line(cart=cart, line_id=line_id)
        else:
            quantity = request.POST.get("quantity", "")
            if not quantity.isdigit() or len(quantity) > 6:
                raise ApplicationError(ApiErrorCode.VALIDATION_ERROR, _("Enter a whole number (0 removes the item)."))
            cart_services.cart_update_line(cart=cart, line_id=line_id, quantity=int(quantity))
    except ApplicationError as exc:
        return _cart_error(request, exc, form="line", line_id=line_id)
    return redirect("shop:cart")


@require_POST
@throttled
def cart_coupon(request):
    cart = cart_services.cart_resolve(request=request)
    try:
        if "remove" in request.POST:
            cart_services.cart_remove_coupon(cart=cart)
            messages.success(request, _("Coupon removed."))
        else:
            code = request.POST.get("code", "").strip()
            if not code:
                raise ApplicationError(ApiErrorCode.VALIDATION_ERROR, _("Enter a coupon code."))
            cart_services.cart_apply_coupon(cart=cart, code=code[:50], user=request.user)
            messages.success(request, _("Coupon applied."))
    except ApplicationError as exc:
        return _cart_error(request, exc, form="coupon")
    return redirect("shop:cart")


@login_required
@require_POST
@throttled
def wishlist_add(request):
    _wishlist_change(request, wishlist_services.wishlist_add, done=_("Saved to your wishlist."))
    return HttpResponseRedirect(_safe_next(request, reverse("shop:home")))


def _wishlist_change(request, change, *, done):
    """``change`` (a wishlist service) applied to the posted product; its error, or ``done``, as a message."""
    product_id = _positive_int(request.POST.get("product_id"))
    try:
        if product_id is None:
            raise ApplicationError(ApiErrorCode.VALIDATION_ERROR, _("Choose a product."))
        change(user=request.user, product_id=product_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)


# --- Checkout and orders ------------------------------------------------------------------


def _shipping_choices(request, cart):
    """Each shipping method with what it costs this cart and the order total it makes."""
    choices = []
    for method in shipping_methods():
        prices = cart_price(cart, user=request.user, shipping_method=method)[0]
        choices.append({"method": method, "shipping": prices.shipping, "total": prices.total})
    return choices


def _checkout_context(request, cart, **extra):
    context = _cart_context(request, cart)
    guest = not request.user.is_authenticated
    context.update(
        {
            "guest": guest,
            "addresses": [] if guest else list(request.user.addresses.all()),
            "payment_methods": PaymentMethod.choices,
            "shipping_choices": _shipping_choices(request, cart),
            "checkout_key": uuid.uuid4().hex,
            "values": {},
            "errors": {},
        }
    )
    context.update(extra)
    return context


def _checkout_data(post, *, guest):
    data = {"payment_method": post.get("payment_method", ""), "card_number": post.get("card_number", "")}
    if post.get("shipping_method"):
        data["shipping_method"] = post["shipping_method"]
    if guest:
        data["email"] = post.get("email", "").strip()
    address = post.get("address", "")
    if address and address != "new" and not guest:
        data["address_id"] = address
    else:
        data["shipping_address"] = {
            name: post.get(name, "").strip() for name in order_services.ADDRESS_FIELDS if name in post
        }
    return data


def _flat_errors(errors):
    flat = {}
    for name, value in errors.items():
        if isinstance(value, dict):
            flat.update(_flat_errors(value))
        else:
            flat[name] = [str(message) for message in value]
    return flat


def checkout(request):
    """Signed in: the address book. A guest types an address and an e-mail address (the order is
    found again on the order lookup page and joins the account verified with that address)."""
    if request.user.is_authenticated:
        cart = cart_services.cart_for_user(user=request.user)
    else:
        cart = cart_services.cart_resolve(request=request, create=False)
        if cart is None:
            return render(request, "storefront/checkout.html", {"prices": None, "guest": True})
    if request.method == "GET":
        return render(request, "storefront/checkout.html", _checkout_context(request, cart))
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    return _checkout_post(request, cart)


@throttled
def _checkout_post(request, cart):
    key = request.POST.get("checkout_key", "")[:100]
    values = request.POST
    guest = not request.user.is_authenticated
    if guest and not values.get("email", "").strip():
        context = _checkout_context(
            request, cart, values=values, errors={"email": [_("Enter your e-mail address.")]}, checkout_key=key
        )
        context["form_error"] = _("Please correct the fields marked below.")
        return render(request, "storefront/checkout.html", context, status=400)
    data = CheckoutInput(data=_checkout_data(values, guest=guest))
    if not data.is_valid():
        errors = _flat_errors(data.errors)
        context = _checkout_context(request, cart, values=values, errors=errors, checkout_key=key or uuid.uuid4().hex)
        context["form_error"] = _("Please correct the fields marked below.")
        return render(request, "storefront/checkout.html", context, status=400)
    valid = data.validated_data
    method = shipping_method_get(valid.get("shipping_method", ""))
    expected_total = request.POST.get(f"expected_total_{method.code}") or (
        request.POST.get("expected_total", "") if method == shipping_method_get() else ""
    )
    current_total = cart_price(cart, user=request.user, shipping_method=method)[0].total
    if expected_total and expected_total != str(current_total):
        context = _checkout_context(request, cart, values=values, checkout_key=key)
        context["form_error"] = _(
            "Prices or your cart changed since this page was opened: the total is now %(total)s. "
            "Please check the order and place it again."
        ) % {"total": money(current_total)}
        return render(request, "storefront/checkout.html", context, status=409)
    try:
        order, _created, _charge = order_services.order_place(
            user=None if guest else request.user,
            email=valid.get("email", ""),
            cart=cart,
            idempotency_key=f"web-{key}" if key.isalnum() else "",
            payment_method=valid["payment_method"],
            payment_data={"card_number": valid.get("card_number", "")},
            address_id=valid.get("address_id"),
            shipping_address=valid.get("shipping_address"),
            shipping_method=method.code,
        )
    except ApplicationError as exc:
        errors = dict(exc.errors or {})
        item_errors = [message for messages_ in errors.pop("items", {}).values() for message in messages_]
        context = _checkout_context(
            request, cart, values=values, errors=_flat_errors(errors), item_errors=item_errors, checkout_key=key
        )
        context["form_error"] = exc.message
        return render(request, "storefront/checkout.html", context, status=error_status(exc))
    if guest:
        _guest_order_remember(request, order.order_number)
        return redirect(reverse("shop:guest-order", args=[order.order_number]) + "?placed=1")
    return redirect(reverse("shop:account-order", args=[order.order_number]) + "?placed=1")


# --- Guest orders ---------------------------------------------------------------------------

GUEST_ORDERS_SESSION_KEY = "orders.guest"


class OrderLookupThrottle(SimpleRateThrottle):
    """The API's ``order_lookup`` rate per client IP, shared with ``POST /api/v1/orders/lookup``."""

    scope = "order_lookup"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _guest_order_remember(request, order_number):
    """This browser placed or found the order: it may show it again (until the session ends)."""
    numbers = [number for number in request.session.get(GUEST_ORDERS_SESSION_KEY, []) if number != order_number]
    request.session[GUEST_ORDERS_SESSION_KEY] = [order_number, *numbers][:20]


def order_lookup(request):
    """A guest finds an order with its number and e-mail; one answer for a wrong number or e-mail."""
    if request.method == "GET":
        return render(request, "storefront/order_lookup.html", {"values": {}})
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    refused = _throttle_check(request, OrderLookupThrottle())
    if refused:
        return refused
    number = request.POST.get("order_number", "").strip()[:50]
    email = request.POST.get("email", "").strip()[:255]
    order = order_for_guest(order_number=number, email=email) if number and email else None
    if order is None:
        context = {"values": {"order_number": number, "email": email}, "error": _(
            "No guest order has this number and e-mail address."
        )}  # fmt: skip
        return render(request, "storefront/order_lookup.html", context, status=404)
    _guest_order_remember(request, order.order_number)
    return redirect("shop:guest-order", order_number=order.order_number)


def _guest_order_or_404(request, order_number):
    """The guest order this browser placed or found with its number and e-mail (the session says so)."""
    if order_number not in request.session.get(GUEST_ORDERS_SESSION_KEY, []) or not ORDER_NUMBER.match(order_number):
        raise Http404
    order = order_for_guest_number(order_number=order_number)
    if order is None:  # claimed by an account meanwhile
        raise Http404
    return order


def _guest_order_context(request, order, **extra):
    return {
        "order": order,
        "placed": request.GET.get("placed") == "1",
        "guest": True,
        "can_cancel": order.status in order_services.CUSTOMER_CANCELLABLE,
        **extra,
    }


@require_GET
def guest_order(request, order_number):
    order = _guest_order_or_404(request, order_number)
    return render(request, "storefront/order.html", _guest_order_context(request, order))


@require_POST
def guest_order_cancel(request, order_number):
    """The cancel button of a guest order: the browser's proof is the lookup (or checkout) that put
    the order in its session; rate-limited with the lookup."""
    refused = _throttle_check(request, OrderLookupThrottle())
    if refused:
        return refused
    order = _guest_order_or_404(request, order_number)
    try:
        order_services.guest_order_cancel(order=order, reason=request.POST.get("reason", "")[:500])
    except ApplicationError as exc:
        context = _guest_order_context(request, order, cancel_error=exc.message)
        return render(request, "storefront/order.html", context, status=error_status(exc))
    messages.success(request, _("Your order was cancelled."))
    return redirect("shop:guest-order", order_number=order.order_number)


@login_required
@require_GET
def account_orders(request):
    paginator = Paginator(orders_for_user(user=request.user).order_by("-created_at", "-id"), ORDERS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        raise Http404 from None
    return render(request, "storefront/orders.html", {"page": page})


def _order_or_404(request, order_number):
    if not ORDER_NUMBER.match(order_number):
        raise Http404
    order = order_for_user(user=request.user, order_number=order_number)
    if order is None:
        raise Http404
    return order


@login_required
@require_GET
def account_order(request, order_number):
    order = _order_or_404(request, order_number)
    return render(request, "storefront/order.html", _order_context(request, order))


def _order_context(request, order, **extra):
    return {
        "order": order,
        "placed": request.GET.get("placed") == "1",
        "can_cancel": order.status in order_services.CUSTOMER_CANCELLABLE,
        "can_pay": order.status == OrderStatus.PENDING
        and order.payment_status in (PaymentStatus.PENDING, PaymentStatus.FAILED)
        and order.payment_method == PaymentMethod.CARD,
        "payment_methods": PaymentMethod.choices,
        "opted_out": set(replenishment_opt_outs(user=request.user).values_list("product_id", flat=True)),
        **extra,
    }


@login_required
@require_POST
@throttled
def account_order_cancel(request, order_number):
    order = _order_or_404(request, order_number)
    try:
        order_services.order_cancel(order=order, by=request.user, reason=request.POST.get("reason", "")[:500])
    except ApplicationError as exc:
        context = _order_context(request, order, cancel_error=exc.message)
        return render(request, "storefront/order.html", context, status=error_status(exc))
    messages.success(request, _("Your order was cancelled."))
    return redirect("shop:account-order", order_number=order.order_number)


@login_required
@require_POST
@throttled
def account_order_pay(request, order_number):
    order = _order_or_404(request, order_number)
    method = request.POST.get("payment_method", PaymentMethod.CARD)
    try:
        if method not in PaymentMethod.values:
            raise ApplicationError(ApiErrorCode.VALIDATION_ERROR, _("Choose a payment method."))
        order_services.order_pay(
            order=order, payment_method=method, payment_data={"card_number": request.POST.get("card_number", "")[:30]}
        )
    except ApplicationError as exc:
        context = _order_context(request, order, pay_error=exc.message)
        return render(request, "storefront/order.html", context, status=error_status(exc))
    return redirect("shop:account-order", order_number=order.order_number)


@login_required
@require_POST
@throttled
def account_order_reorder(request, order_number):
    order = _order_or_404(request, order_number)
    added, problems = services.order_reorder(cart=cart_services.cart_for_user(user=request.user), order=order)
    if added:
        messages.success(request, _("The order's items are back in your cart."))
    for name, reason in problems:
        messages.error(request, f"{name}: {reason}")
    return redirect("shop:cart")


@login_required
@require_POST
def account_replenishment(request, product_id):
    """Running-low reminders for one product off (``enabled=0``) or back on, from the order page."""
    try:
        order_services.replenishment_opt_out(
            user=request.user, product_id=product_id, enabled=request.POST.get("enabled") == "1"
        )
    except ApplicationError as exc:
        raise Http404 from exc
    if request.POST.get("enabled") == "1":
        messages.success(request, _("We will remind you when it runs low."))
    else:
        messages.success(request, _("No more running-low reminders for this product."))
    return HttpResponseRedirect(_safe_next(request, reverse("shop:account-orders")))


@login_required
@require_GET
def account_wishlist(request):
    return render(request, "storefront/wishlist.html", {"products": selectors.wishlist_products(user=request.user)})


@login_required
@require_POST
@throttled
def wishlist_remove(request):
    _wishlist_change(request, wishlist_services.wishlist_remove, done=_("Removed from your wishlist."))
    return redirect("shop:account-wishlist")


@login_required
def account_skin_profile(request):
    """The shopper's skin type and concerns (they choose the home page's "for your skin type")."""
    errors = {}
    if request.method == "POST":
        data = ProfileInput(
            data={
                "skin_type": request.POST.get("skin_type", ""),
                "skin_concerns": request.POST.getlist("skin_concerns"),
            }
        )
        if data.is_valid():
            throttle_response = _throttle_check(request)
            if throttle_response is not None:
                return throttle_response
            account_services.profile_update(user=request.user, data=dict(data.validated_data))
            messages.success(request, _("Your skin profile is saved."))
            return redirect("shop:account-skin-profile")
        errors = {name: [str(error) for error in messages_] for name, messages_ in data.errors.items()}
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    context = {
        "skin_types": labels.SKIN_TYPES_FOR_FILTER,
        "concerns": labels.CONCERNS,
        "errors": errors,
        "chosen_type": request.POST.get("skin_type") if errors else request.user.skin_type,
        "chosen_concerns": request.POST.getlist("skin_concerns") if errors else request.user.skin_concerns,
    }
    return render(request, "storefront/skin_profile.html", context, status=400 if errors else 200)


@login_required
def account_picture(request):
    """Set, replace or remove the profile picture through the files services (the API's
    ``auth/profile/picture``): the image is checked by its content, every frame, before decoding."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    error, status = None, 200
    if request.method == "POST":
        limited = _throttle_check(request) or upload_throttle_check(request)
        if limited is not None:
            return limited
        try:
            if "remove" in request.POST:
                profile_picture_remove(user=request.user)
                messages.success(request, _("Your profile picture is removed."))
            else:
                upload = request.FILES.get("picture")
                if upload is None:
                    raise ApplicationError(ApiErrorCode.VALIDATION_ERROR, _("Choose a picture to upload."))
                profile_picture_set(user=request.user, upload=upload)
                messages.success(request, _("Your profile picture is saved."))
        except ApplicationError as exc:
            error, status = exc.message, error_status(exc)
        else:
            return redirect("shop:account-picture")
    picture = account_selectors.user_get(pk=request.user.pk).profile_picture
    context = {"picture_url": file_url(file=picture, size="medium") if picture else None, "error": error}
    return render(request, "storefront/profile_picture.html", context, status=status)


@login_required
@require_GET
def account_addresses(request):
    addresses = account_selectors.address_list(user=request.user)
    return render(request, "storefront/addresses.html", {"addresses": addresses})


def _address_form_page(request, address):
    """Add (``address`` None) or edit one of the shopper's addresses; field errors next to fields (400)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST":
        if form.is_valid():
            throttle_response = _throttle_check(request)
            if throttle_response is not None:
                return throttle_response
            is_default, fields = form.service_fields()
            if address is None:
                account_services.address_create(user=request.user, is_default=is_default, **fields)
                messages.success(request, _("The address is added."))
            else:
                account_services.address_update(address=address, is_default=is_default or None, **fields)
                messages.success(request, _("The address is saved."))
            return redirect("shop:account-addresses")
    context = {"form": form, "address": address}
    return render(request, "storefront/address_form.html", context, status=400 if form.errors else 200)


@login_required
def account_address_add(request):
    return _address_form_page(request, None)


@login_required
def account_address_edit(request, address_id):
    return _address_form_page(request, get_object_or_404(Address, pk=address_id, user=request.user))


@login_required
@require_POST
@throttled
def account_address_delete(request, address_id):
    account_services.address_delete(address=get_object_or_404(Address, pk=address_id, user=request.user))
    messages.success(request, _("The address is deleted."))
    return redirect("shop:account-addresses")


@login_required
@require_POST
@throttled
def account_address_default(request, address_id):
    account_services.address_set_default(address=get_object_or_404(Address, pk=address_id, user=request.user))
    messages.success(request, _("This is now your default address."))
    return redirect("shop:account-addresses")


@require_POST
@throttled
def language_switch(request):
    """The header's language switch: Django's ``set_language`` (cookie), and for a signed-in
    shopper the choice is kept on the profile so every device follows it."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in Language.values and language != request.user.language:
        account_services.profile_update(user=request.user, data={"language": language})
    return response
