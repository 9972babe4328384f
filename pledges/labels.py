"""The Korean name of a label, whatever language the request speaks.

Every vocabulary (stages, attributes, tables, funding sources, periods, roles) is
written once, as an English msgid: ``_("Complete")`` in its ``TextChoices``; the Korean
comes from ``locale/ko``. Files, the open-data API and the audit workbook name things in
Korean whatever the reader's language, so they read the names from here instead of
declaring them again.
"""

from collections.abc import Iterator, Mapping

from django.db.models import Choices
from django.utils import translation
from django.utils.functional import Promise

from .models.choices import Stage


def korean(label: str | Promise) -> str:
    """The label as the Korean page prints it: "완료" for ``Stage.COMPLETE.label``."""
    with translation.override("ko"):
        return str(label)


class KoreanNames(Mapping[str, str]):
    """{code: Korean name} of one vocabulary, derived from its labels.

    Read on first use, not at import: translations load only once the apps are ready.
    """

    def __init__(self, labels: type[Choices] | Mapping[str, str | Promise]) -> None:
        self._labels = dict(labels.choices) if isinstance(labels, type) else dict(labels)
        self._names: dict[str, str] | None = None

    @property
    def names(self) -> dict[str, str]:
        if self._names is None:
            self._names = {str(code): korean(label) for code, label in self._labels.items()}
        return self._names

    def __getitem__(self, code: str) -> str:
        return self.names[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


# The stages as files and the open data name them (the workbook, the API's stage_name).
STAGE_NAMES = KoreanNames(Stage)
