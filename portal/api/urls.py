"""Open data URLs (namespace ``api``), language-neutral: JSON, CSV, XLSX, the schema."""

from django.urls import path

from . import views
from .views import open_data

urlpatterns = [
    path("api/pledges/", open_data(views.PledgeListView.as_view()), name="pledge_list"),
    path("api/pledges.csv", open_data(views.PledgeCsvView.as_view()), name="pledge_csv"),
    path(
        "api/pledges/<str:code>/",
        open_data(views.PledgeDetailView.as_view()),
        name="pledge_detail",
    ),
    path(
        "api/pledges/<str:code>/figures.csv",
        open_data(views.PledgeFiguresCsvView.as_view()),
        name="pledge_figures_csv",
    ),
    path(
        "api/pledges/<str:code>/figures.xlsx",
        open_data(views.PledgeFiguresXlsxView.as_view()),
        name="pledge_figures_xlsx",
    ),
    path(
        "api/pledges/<str:code>/publications/",
        open_data(views.PledgePublicationsView.as_view()),
        name="pledge_publications",
    ),
    path(
        "api/publications/",
        open_data(views.PublicationListView.as_view()),
        name="publications",
    ),
    path("api/figures.csv", open_data(views.FiguresCsvView.as_view()), name="figures_csv"),
    path("api/figures.xlsx", open_data(views.FiguresXlsxView.as_view()), name="figures_xlsx"),
    path("api/milestones.csv", open_data(views.MilestonesCsvView.as_view()), name="milestones_csv"),
    path("api/datapackage.json", open_data(views.DataPackageView.as_view()), name="datapackage"),
    path(
        "api/schema/",
        open_data(views.SchemaView.as_view(), representation=views.schema_representation),
        name="schema",
    ),
    path("api/docs/", views.ApiDocsView.as_view(), name="docs"),
]
