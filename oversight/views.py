"""Oversight pages: ledger export/import, bulletins, assessment, dashboard."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from tickets import rules
from tickets.errors import TicketError
from tickets.selectors import ticket_list
from workflows.filters import TicketFilter

from . import periods
from .access import OfficeRequiredMixin
from .assessment import assess
from .bulletins import bulletin_generate, bulletin_publish, bulletins_visible_to, period_of
from .dashboard import dashboard_data
from .forms import ImportForm, PeriodForm, WeightsForm
from .ledger_export import request_export
from .ledger_import import ImportRejected, import_problems, template_bytes
from .models import AssessmentWeights, Bulletin, LedgerExport
from .workbooks import assessment_workbook, bulletin_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content, filename):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


class LedgerView(OfficeRequiredMixin, TemplateView):
    template_name = "oversight/ledger.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = TicketFilter(self.request.GET or None, queryset=ticket_list(viewer=self.request.user))
        context.update(
            filterset=filterset,
            count=(filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset).count(),
            query=self.request.GET.urlencode(),
            exports=LedgerExport.objects.filter(requested_by=self.request.user)[:10],
            import_form=ImportForm(),
        )
        return context


class LedgerExportStartView(OfficeRequiredMixin, View):
    def post(self, request):
        export = request_export(actor=request.user, query=request.POST.get("query", ""))
        return HttpResponseRedirect(reverse("oversight:export", args=[export.pk]))


class ExportMixin(OfficeRequiredMixin):
    def get_export(self, pk):
        return get_object_or_404(LedgerExport, pk=pk, requested_by=self.request.user)


class ExportStatusView(ExportMixin, TemplateView):
    template_name = "oversight/export.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(export=self.get_export(kwargs["pk"]), **kwargs)


class ExportStatusJsonView(ExportMixin, View):
    def get(self, request, pk):
        export = self.get_export(pk)
        return JsonResponse({
            "status": export.status, "done": export.done, "total": export.total, "percent": export.percent,
            "download": reverse("oversight:export-download", args=[pk]) if export.file else None,
            "error": export.error,
        })


class ExportDownloadView(ExportMixin, View):
    def get(self, request, pk):
        export = self.get_export(pk)
        if not export.file:
            raise Http404
        return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.file.name.rsplit("/", 1)[-1],
                            content_type=XLSX)


class ImportTemplateView(OfficeRequiredMixin, View):
    def get(self, request):
        return xlsx_response(template_bytes(), "problem-import-template.xlsx")


class ImportView(OfficeRequiredMixin, TemplateView):
    template_name = "oversight/import_result.html"

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        context = {"form": form, "errors": [], "tickets": []}
        if form.is_valid():
            try:
                context["tickets"] = import_problems(actor=request.user, upload=form.cleaned_data["file"])
            except ImportRejected as exc:
                context["errors"] = exc.errors
            except TicketError as exc:
                context["errors"] = [str(exc.message)]
        status = 200 if context["tickets"] else 400
        return self.render_to_response(self.get_context_data(**context), status=status)


class BulletinListView(LoginRequiredMixin, TemplateView):
    template_name = "oversight/bulletin_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        office = rules.is_office(self.request.user)
        context.update(
            bulletins=bulletins_visible_to(self.request.user)[:100],
            may_generate=office,
            form=PeriodForm(initial={"period": periods.previous_month().code}) if office else None,
        )
        return context


class BulletinGenerateView(OfficeRequiredMixin, View):
    def post(self, request):
        form = PeriodForm(request.POST)
        if not form.is_valid():
            messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
            return HttpResponseRedirect(reverse("oversight:bulletins"))
        bulletin = bulletin_generate(period=form.cleaned_data["period"], area=form.cleaned_data["area"],
                                     actor=request.user)
        if bulletin.is_published:
            messages.info(request, _("该周期的通报已发布,内容不再更新。"))
        return HttpResponseRedirect(reverse("oversight:bulletin", args=[bulletin.pk]))


class BulletinMixin(LoginRequiredMixin):
    def get_bulletin(self, pk):
        return get_object_or_404(bulletins_visible_to(self.request.user), pk=pk)


class BulletinDetailView(BulletinMixin, TemplateView):
    template_name = "oversight/bulletin_detail.html"

    def get_template_names(self):
        return ["oversight/bulletin_print.html"] if self.request.GET.get("print") else [self.template_name]

    def get_context_data(self, **kwargs):
        bulletin = self.get_bulletin(kwargs["pk"])
        return super().get_context_data(
            bulletin=bulletin, report=bulletin.snapshot, may_publish=rules.is_office(self.request.user)
            and not bulletin.is_published, **kwargs,
        )


class BulletinExcelView(BulletinMixin, View):
    def get(self, request, pk):
        bulletin = self.get_bulletin(pk)
        return xlsx_response(bulletin_workbook(bulletin.snapshot), f"bulletin-{period_of(bulletin).code}.xlsx")


class BulletinPublishView(OfficeRequiredMixin, View):
    def post(self, request, pk):
        bulletin = get_object_or_404(Bulletin, pk=pk)
        try:
            bulletin_publish(bulletin=bulletin, actor=request.user)
            messages.success(request, _("通报已发布,被点名的河长已收到通知。"))
        except TicketError as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("oversight:bulletin", args=[pk]))


class AssessmentView(OfficeRequiredMixin, TemplateView):
    template_name = "oversight/assessment.html"

    def get(self, request, *args, **kwargs):
        form = PeriodForm(request.GET or None, kinds=("quarter", "year"))
        rows, weights = None, AssessmentWeights.current()
        if form.is_bound and form.is_valid():
            rows = assess(form.cleaned_data["period"], form.cleaned_data["area"], weights)
            if request.GET.get("format") == "xlsx":
                return xlsx_response(assessment_workbook(rows, weights),
                                     f"assessment-{form.cleaned_data['period'].code}.xlsx")
        return self.render_to_response(self.get_context_data(
            form=form, rows=rows, weights_form=WeightsForm(instance=weights),
            xlsx_query=urlencode({**request.GET.dict(), "format": "xlsx"}),
        ))

    def post(self, request):
        form = WeightsForm(request.POST, instance=AssessmentWeights.current())
        if form.is_valid():
            form.save()
            messages.success(request, _("考核权重已保存。"))
        else:
            messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
        return HttpResponseRedirect(request.get_full_path())


class DashboardView(OfficeRequiredMixin, TemplateView):
    template_name = "oversight/dashboard.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(charts=dashboard_data(), **kwargs)
