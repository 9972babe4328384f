"""Hardening III (issue 25): what an attacker or a careless insider tried, as a matrix of
role × route × payload, so the next change cannot reopen it."""

import feedparser
import pytest
from django.utils import timezone

from pledges.models import Pledge, Stage
from pledges.services import pledge_save
from publications.services import publication_publish
from tests.factories import reviewer

pytestmark = pytest.mark.django_db

MARKUP = "<img src=x onerror=alert(1)>"


def _feed(client):
    response = client.get("/feed/")
    assert response.status_code == 200
    # A reader that trusts the feed's HTML as it is (no sanitising of its own).
    return feedparser.parse(response.content, sanitize_html=False)


def _entry(feed, code: str):
    return next(entry for entry in feed.entries if f"[{code}]" in entry.title)


# Feed ---------------------------------------------------------------------------------


def test_staff_markup_published_into_a_card_reaches_feed_readers_as_text(client):
    pledge = Pledge.objects.get(code="12-1")
    pledge.overview = f"개요 {MARKUP}"
    pledge.target = MARKUP
    pledge_save(pledge=pledge, reason="markup")
    publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=reviewer(), note=MARKUP)

    entry = _entry(_feed(client), "12-1")
    assert entry.summary_detail.type == "text/html"
    assert "<img" not in entry.summary  # no live markup for the reader to run
    assert "&lt;img src=x onerror=alert(1)&gt;" in entry.summary  # shown as typed


def test_the_feed_shows_the_published_title_and_stage_never_a_staff_draft(client):
    pledge = Pledge.objects.get(code="12-1")
    published = pledge.published
    pledge.title = "초안 제목 (검토 전)"
    assert pledge.stage != Stage.INFEASIBLE
    pledge.stage = Stage.INFEASIBLE
    pledge_save(pledge=pledge, stage_changed_on=timezone.localdate(), reason="draft")

    title = _entry(_feed(client), "12-1").title  # first read: nothing cached before
    assert title.startswith(f"[12-1] {published.title} — {published.get_stage_display()}")
    assert "초안 제목" not in title and pledge.get_stage_display() not in title


def test_each_feed_entry_links_to_the_pledge_as_it_was_on_its_publication_day(client):
    pledge = Pledge.objects.get(code="12-1")
    pledge.target = "새 목표"
    pledge_save(pledge=pledge, reason="target")
    [publication] = publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=reviewer())
    day = timezone.localtime(publication.published_at).date()
    entry = _entry(_feed(client), "12-1")
    assert entry.link.endswith(f"/pledges/12-1/?term={pledge.term.number}&as_of={day:%Y-%m-%d}")
