"""The reports page and its CSV exports: managers and admins only; each export leaves an audit entry."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from audit.models import AuditAction
from audit.services import record_audit_entry
from interactions.roles import may_supervise
from reports.forms import PeriodForm
from reports.selectors import desk_report
from reports.tables import TABLE_NAMES, chart_data, report_tables, summary_tiles


def _refuse_agents(request: HttpRequest) -> None:
    if not may_supervise(request.user):
        raise PermissionDenied("Reports are for managers and admins.")


def _form(request: HttpRequest) -> PeriodForm:
    return PeriodForm({"first_day": request.GET.get("from", ""), "last_day": request.GET.get("to", "")})


@login_required
@require_safe
def reports(request: HttpRequest) -> HttpResponse:
    _refuse_agents(request)
    form = _form(request)
    if not form.is_valid():
        return render(request, "reports/reports.html", {"form": form}, status=400)
    report = desk_report(form.period)
    return render(
        request,
        "reports/reports.html",
        {
            "form": form,
            "report": report,
            "summary": summary_tiles(report),
            "tables": report_tables(report),
            "charts": chart_data(report),
        },
    )


@login_required
@require_safe
def export(request: HttpRequest, table: str) -> HttpResponse:
    _refuse_agents(request)
    if table not in TABLE_NAMES:
        raise Http404(f"There is no report table {table!r}.")
    form = _form(request)
    if not form.is_valid():
        return HttpResponse(
            " ".join(form.errors.get("__all__", [])) or form.errors.as_text(),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    period = form.period
    chosen = next(each for each in report_tables(desk_report(period)) if each.name == table)
    filename = f"whatsdesk-{table}-{period.first_day.isoformat()}-{period.last_day.isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    csv.writer(response).writerows(chosen.csv_rows())
    record_audit_entry(
        action=AuditAction.EXPORT,
        target_label=f"Report: {chosen.title}, {period.first_day.isoformat()} to {period.last_day.isoformat()}",
        details={
            "report": table,
            "from": period.first_day.isoformat(),
            "to": period.last_day.isoformat(),
            "time_zone": period.time_zone,
            "rows": len(chosen.rows),
        },
        request=request,
    )
    return response
