"""Load the seed data in fixtures/ (both source documents); running it twice changes nothing."""

import tomllib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from budgets.services import figures_seed
from departments.services import departments_seed
from pledges.services import pledge_seed, terms_seed
from publications.services import publication_seed


class Command(BaseCommand):
    help = (
        "시드 자료(fixtures/)를 적재합니다. 두 번 실행해도 바뀌는 것이 없습니다. / "
        "Load the seed data; a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures",
            default=str(settings.BASE_DIR / "fixtures"),
            help="folder with terms.toml, departments.toml and pledges/*.toml",
        )

    def handle(self, *args, **options):
        folder = Path(options["fixtures"])
        try:
            terms = _read(folder / "terms.toml")
            departments = _read(folder / "departments.toml")
            cards = [_read(path) for path in sorted((folder / "pledges").glob("*.toml"))]
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise CommandError(
                f"시드 파일을 읽을 수 없습니다 / cannot read seed files: {error}"
            ) from error
        if not cards:
            raise CommandError(f"{folder / 'pledges'}에 공약 카드가 없습니다 / no pledge cards")

        counts: dict[str, int] = {}
        try:
            self._load(terms, departments, cards, counts)
        except (KeyError, ValueError, ValidationError, ObjectDoesNotExist) as error:
            raise CommandError(
                f"시드 자료 오류로 아무것도 적재하지 않았습니다 / seed data error, nothing loaded: "
                f"{error!r}"
            ) from error
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        self.stdout.write(self.style.SUCCESS(f"{len(cards)} pledge cards: {summary}"))

    @transaction.atomic
    def _load(self, terms: dict, departments: dict, cards: list[dict], counts: dict) -> None:
        for part in (terms_seed(data=terms), departments_seed(data=departments)):
            for status, n in part.items():
                counts[status] = counts.get(status, 0) + n
        pledges = []
        for card in cards:
            pledge = pledge_seed(data=card, counts=counts)
            figures_seed(pledge=pledge, data=card, counts=counts)
            pledges.append(pledge)
        # The loaded cards are the first publication, by no one (a rerun adds none).
        counts["publications"] = len(publication_seed(pledges=pledges))


def _read(path: Path) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)
