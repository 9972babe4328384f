"""fixtures/README.md lists every inference the seed data makes."""

import pytest
from django.conf import settings

from pledges.models import ATTRIBUTES, Pledge, PledgeOfficial

pytestmark = pytest.mark.django_db


def test_every_inferred_attribute_is_listed_in_the_fixtures_readme():
    readme = (settings.BASE_DIR / "fixtures" / "README.md").read_text()
    for pledge in Pledge.objects.all():
        assert f"### {pledge.code} {pledge.title}" in readme
        for attribute in ATTRIBUTES:
            reason = getattr(pledge, f"{attribute}_inference")
            assert reason and reason in readme, (pledge.code, attribute)


def test_every_recovered_or_blank_official_name_is_listed_in_the_fixtures_readme():
    readme = (settings.BASE_DIR / "fixtures" / "README.md").read_text()
    for link in PledgeOfficial.objects.exclude(note=""):
        assert link.note in readme, (link.pledge.code, link.official)
