"""Pages of the ml app: the routine builder, the click redirect of recommended products and
"not interested". Same services and selectors as the API."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ml import rec_services, routines
from ml.rec_serializers import PAGE_TYPES, RECOMMENDATION_TYPES
from shop.accounts.models import SkinConcern, SkinType
from shop.cart import services as cart_services
from shop.catalog import selectors as catalog_selectors
from skincare.api.exceptions import error_status
from skincare.errors import ApplicationError


def _position(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 100 else None


def _session_id(request):
    return getattr(request.session, "session_key", None) or ""


@require_GET
def recommendation_go(request, product_id):
    """A recommended product's link: record the click, then go to the product's page."""
    try:
        product = catalog_selectors.product_active_get(product_id=product_id)
    except ApplicationError:
        return redirect("shop:home")
    kind = request.GET.get("list", "")
    page = request.GET.get("page", "")
    rec_services.recommendation_feedback_record(
        user=request.user,
        product_id=product.pk,
        interaction_type="click",
        recommendation_type=kind if kind in RECOMMENDATION_TYPES else "",
        page_type=page if page in PAGE_TYPES else "",
        position=_position(request.GET.get("pos")),
        session_id=_session_id(request),
    )
    return redirect("shop:product", product.slug)


def _safe_next(request, fallback):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@login_required
@require_POST
def recommendation_hide(request):
    """ "Not interested": the product is not recommended to this shopper again."""
    try:
        rec_services.recommendation_feedback_record(
            user=request.user,
            product_id=_position_or_id(request.POST.get("product_id")),
            interaction_type="ignore",
            recommendation_type=request.POST.get("list", "")
            if request.POST.get("list") in RECOMMENDATION_TYPES
            else "",
            page_type=request.POST.get("page", "") if request.POST.get("page") in PAGE_TYPES else "",
            session_id=_session_id(request),
        )
    except ApplicationError:
        messages.error(request, _("This product is not available."))
    else:
        messages.success(request, _("Thanks. We will not recommend it to you again."))
    return redirect(_safe_next(request, reverse("shop:home")))


def _position_or_id(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**31 else 0


def _routine_form(request):
    """(values, errors) from the query string."""
    user = request.user if request.user.is_authenticated else None
    values = {
        "skin_type": request.GET.get("skin_type") or (user.skin_type if user else ""),
        "concerns": request.GET.getlist("concerns")
        if "skin_type" in request.GET or not user
        else list(user.skin_concerns or ()),
        "sensitive": request.GET.get("sensitive") == "1",
        "budget": request.GET.get("budget", "").strip(),
    }
    errors = {}
    if values["skin_type"] not in SkinType.values:
        errors["skin_type"] = _("Choose your skin type.")
    if any(c not in SkinConcern.values for c in values["concerns"]) or len(values["concerns"]) > 10:
        errors["concerns"] = _("Choose concerns from the list.")
    budget = None
    if values["budget"]:
        try:
            budget = Decimal(values["budget"])
        except InvalidOperation:
            budget = None
        if budget is None or not budget.is_finite() or budget < 1 or budget >= Decimal("100000000"):
            errors["budget"] = _("Enter an amount of at least 1.")
            budget = None
        else:
            budget = budget.quantize(Decimal("0.01"))
    return values, budget, errors


@require_GET
def routine_page(request):
    values, budget, errors = _routine_form(request)
    context = {
        "values": values,
        "errors": errors,
        "skin_types": SkinType.choices,
        "concerns": SkinConcern.choices,
        "plan": None,
    }
    asked = "skin_type" in request.GET or request.user.is_authenticated
    status = 200
    if asked and not errors:
        cart = cart_services.cart_resolve(request=request, create=False)
        cart_ids = list(cart.lines.order_by("pk").values_list("product_id", flat=True)) if cart is not None else []
        try:
            context["plan"] = routines.routine_build(
                skin_type=values["skin_type"],
                concerns=values["concerns"],
                sensitive=values["sensitive"] or values["skin_type"] == SkinType.SENSITIVE,
                budget=budget,
                user=request.user if request.user.is_authenticated else None,
                cart_product_ids=cart_ids,
            )
        except ApplicationError as exc:
            context["build_error"] = exc.message
            status = error_status(exc)
    elif asked:
        status = 400
    return render(request, "ml/routine.html", context, status=status)


@require_POST
def routine_add_to_cart(request):
    """ "Add whole routine to cart": every product of the routine, all or none."""
    ids = [_position_or_id(value) for value in request.POST.getlist("product_id")][:20]
    back = _safe_next(request, reverse("ml:routine"))
    if not ids or 0 in ids:
        messages.error(request, _("Build a routine first."))
        return redirect(back)
    cart = cart_services.cart_resolve(request=request)
    try:
        routines.routine_add_to_cart(cart=cart, product_ids=ids)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, _("The whole routine is in your cart."))
    return redirect("shop:cart")
