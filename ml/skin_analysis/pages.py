"""The shopper's skin analysis pages (HTML forms), on the same services and selectors as the API."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ml.skin_analysis import selectors, services
from ml.skin_analysis.advice import area_labels, metric_labels, severity_labels, skin_type_labels
from ml.skin_analysis.models import METRICS, SkinAnalysisStatus
from ml.skin_analysis.serializers import photo_output
from shop.catalog.selectors import product_list_queryset
from shop.storefront.views import throttled
from skincare.api.exceptions import error_status
from skincare.charts import bar_chart_svg, chart_table
from skincare.errors import ApplicationError

PER_PAGE = 20


def _positive_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _history_context(request, **extra):
    page = Paginator(selectors.skin_analysis_history(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    done = [a for a in page.object_list if a.status == SkinAnalysisStatus.DONE]
    context = {"page": page, "analyses": list(page.object_list), "done": done, "errors": {}}
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
@throttled
def skin_home(request):
    """Take or upload a photo, and the history of one's analyses."""
    if request.method == "GET":
        return render(request, "skin_analysis/home.html", _history_context(request))
    try:
        analysis = services.skin_analysis_start(user=request.user, upload=request.FILES.get("photo"))
    except ApplicationError as exc:
        messages = [str(error) for errors in (exc.errors or {}).values() for error in errors] or [exc.message]
        context = _history_context(request, error=exc.message, errors={"photo": messages})
        return render(request, "skin_analysis/home.html", context, status=error_status(exc))
    return HttpResponseRedirect(reverse("skin:detail", args=[analysis.pk]))


def _metric_rows(analysis):
    labels = metric_labels()
    return [(labels[name], getattr(analysis, name)) for name in METRICS]


@login_required
@require_GET
def skin_detail(request, analysis_id):
    analysis = selectors.skin_analysis_get(user=request.user, analysis_id=analysis_id)
    if analysis is None:
        raise Http404
    context = {"analysis": analysis, "photo": photo_output(analysis.photo, request)}
    if analysis.status == SkinAnalysisStatus.DONE:
        points = _metric_rows(analysis)
        title = _("Your ten skin scores")
        desc = _("Each score runs from 0 to 100; higher is healthier.")
        context["chart"] = bar_chart_svg(
            points, title=title, desc=desc, label_every=1, chart_id="skin-metrics", y_max=100, height=240
        )
        context["chart_table"] = chart_table(points, caption=title, label_header=_("Metric"), value_header=_("Score"))
        areas, severities, labels = area_labels(), severity_labels(), metric_labels()
        context["concerns"] = [
            {
                "metric": labels[c["metric"]],
                "severity": severities[c["severity"]],
                "areas": [areas[a] for a in c["areas"]],
            }
            for c in analysis.concerns
        ]
        products = {p.pk: p for p in product_list_queryset().filter(pk__in=analysis.product_ids)}
        context["products"] = [products[pk] for pk in analysis.product_ids if pk in products]
        context["acne_severity"] = severities.get(analysis.acne_severity, "")
        context["skin_type"] = skin_type_labels().get(analysis.skin_type, analysis.skin_type)
    return render(request, "skin_analysis/detail.html", context)


@login_required
@require_GET
def skin_compare(request):
    first_id, second_id = _positive_int(request.GET.get("from")), _positive_int(request.GET.get("to"))
    context = {"history": list(selectors.skin_analysis_trend(user=request.user)), "rows": []}
    status = 200
    if first_id and second_id:
        try:
            result = services.skin_analysis_compare(user=request.user, from_id=first_id, to_id=second_id)
        except ApplicationError as exc:
            context["error"] = exc.message
            status = error_status(exc)
        else:
            labels = metric_labels()
            context["result"] = result
            context["rows"] = [
                (labels[name], getattr(result["from"], name), getattr(result["to"], name), result["deltas"][name])
                for name in METRICS
            ]
    context["selected"] = {"from": first_id, "to": second_id}
    return render(request, "skin_analysis/compare.html", context, status=status)
