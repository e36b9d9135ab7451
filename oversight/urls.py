from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("ledger/", views.LedgerView.as_view(), name="ledger"),
    path("ledger/export/", views.LedgerExportStartView.as_view(), name="export-start"),
    path("ledger/exports/<int:pk>/", views.ExportStatusView.as_view(), name="export"),
    path("ledger/exports/<int:pk>/status/", views.ExportStatusJsonView.as_view(), name="export-status"),
    path("ledger/exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export-download"),
    path("ledger/import/template/", views.ImportTemplateView.as_view(), name="import-template"),
    path("ledger/import/", views.ImportView.as_view(), name="import"),
    path("bulletins/", views.BulletinListView.as_view(), name="bulletins"),
    path("bulletins/generate/", views.BulletinGenerateView.as_view(), name="bulletin-generate"),
    path("bulletins/<int:pk>/", views.BulletinDetailView.as_view(), name="bulletin"),
    path("bulletins/<int:pk>/xlsx/", views.BulletinExcelView.as_view(), name="bulletin-xlsx"),
    path("bulletins/<int:pk>/publish/", views.BulletinPublishView.as_view(), name="bulletin-publish"),
    path("assessment/", views.AssessmentView.as_view(), name="assessment"),
]
