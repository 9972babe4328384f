from django.urls import path

from . import views
from .cache import cache_public_page as cached
from .feeds import PledgeFeed, PledgeUpdatesFeed

app_name = "portal"

urlpatterns = [
    path("", cached(views.home), name="home"),
    path("pledges/", cached(views.pledge_list), name="list"),
    path("pledges/<str:code>/", cached(views.pledge_detail_view), name="detail"),
    path("pledges/<str:code>/feed/", cached(PledgeFeed()), name="pledge_feed"),
    path("departments/", cached(views.department_list), name="department_list"),
    path("departments/<str:name>/", cached(views.department_detail), name="department_detail"),
    path("about/", cached(views.about), name="about"),
    path("data-dictionary/", cached(views.data_dictionary), name="data_dictionary"),
    path("glossary/", cached(views.glossary), name="glossary"),
    path("feed/", cached(PledgeUpdatesFeed()), name="feed"),
]
