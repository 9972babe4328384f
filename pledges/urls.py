from django.urls import path

from . import views
from .feeds import PledgeUpdatesFeed

app_name = "pledges"

urlpatterns = [
    path("", views.home, name="home"),
    path("pledges/", views.pledge_list, name="list"),
    path("pledges/<str:code>/", views.pledge_detail_view, name="detail"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/<str:name>/", views.department_detail, name="department_detail"),
    path("about/", views.about, name="about"),
    path("feed/", PledgeUpdatesFeed(), name="feed"),
]

api_urlpatterns = [
    path("api/pledges/", views.api_pledge_list, name="pledge_list"),
    path("api/pledges.csv", views.csv_pledge_list, name="pledge_csv"),
    path("api/pledges/<str:code>/", views.api_pledge_detail, name="pledge_detail"),
]
