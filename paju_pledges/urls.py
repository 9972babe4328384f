from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from budgets.views import audit_report, audit_report_download, audit_report_job
from portal.views import healthz

admin.site.site_header = _("Paju City pledge portal: administration")
admin.site.site_title = _("Paju City pledge portal")
admin.site.index_title = _("Pledges, departments and figures")

# Pages: Korean at /, English under /en/. Open data is language-neutral.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/audit-report/", admin.site.admin_view(audit_report), name="audit_report"),
    path(
        "admin/audit-report/<int:pk>/",
        admin.site.admin_view(audit_report_job),
        name="audit_report_job",
    ),
    path(
        "admin/audit-report/<int:pk>/download/",
        admin.site.admin_view(audit_report_download),
        name="audit_report_download",
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include(("portal.api.urls", "portal"), namespace="api")),
]
urlpatterns += i18n_patterns(
    path("", include("portal.urls")),
    prefix_default_language=False,
)
