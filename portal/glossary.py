"""The words a citizen meets on the money and stage tables, explained once (용어 설명).

Each entry has an anchor on the glossary page; ``templatetags.portal.term`` links a word
to it wherever a page shows it. One language per label: a word that belongs to a
vocabulary is that vocabulary's label (``Stage``, ``FigureKind``, ``FundingSource``,
``periods.NAMES``, ``BudgetUnit``), never written again here; the few words no vocabulary
holds and every explanation are Korean gettext messages, with the English in
``locale/en``. ``korean`` is the word as the printed card has it, which an English page
shows next to the translation (marked ``lang="ko"``).
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from budgets.models import FigureKind, FundingSource
from departments.models import BudgetUnit
from pledges import periods
from pledges.labels import korean
from pledges.models import Stage


@dataclass(frozen=True)
class Entry:
    slug: str
    word: str | Promise
    text: str | Promise
    # (word, explanation) pairs listed under the text, e.g. each funding source
    parts: list[tuple[str | Promise, str | Promise]] = field(default_factory=list)

    @property
    def korean(self) -> str:
        return korean(self.word)


# What each funding source is, in the source vocabulary's order (계, the total row, aside).
SOURCE_TEXTS = {
    FundingSource.NATIONAL: _("국가가 내는 돈"),
    FundingSource.PROVINCIAL: _("경기도가 내는 돈"),
    FundingSource.CITY: _("파주시가 내는 돈"),
    FundingSource.PRIVATE: _("민간 자본"),
    FundingSource.SPECIAL_GRANT: _("특정 사업에 교부되는 특별조정교부금"),
    FundingSource.OTHER: _("그 밖의 재원"),
}

STAGE_TEXTS = {
    Stage.REVIEW: _("공약을 이행할 수 있는지, 어떻게 이행할지 살펴보는 단계입니다."),
    Stage.IN_PROGRESS: _("공약 이행이 시작되어 진행 중인 단계입니다."),
    Stage.COMPLETE: _(
        "공약의 달성목표를 이룬 단계입니다. 만든 시설이나 제도를 운영하는 예산은 계속 "
        "잡혀 있을 수 있습니다."
    ),
    Stage.INFEASIBLE: _("시가 약속한 대로는 이행할 수 없다고 판단한 공약입니다."),
}

ENTRIES: list[Entry] = [
    Entry(
        "total-cost",
        _("총사업비"),
        _(
            "사업 전 기간, 모든 재원을 합한 사업비로, 공약 카드에 인쇄된 금액입니다. 카드에는 "
            "초기계획과 현재계획이 함께 실려 있으며 둘은 다를 수 있습니다."
        ),
    ),
    Entry(
        "prior",
        periods.NAMES[periods.PRIOR],
        _("이번 임기가 시작되기 전에 이미 이 사업에 투자된 금액입니다."),
    ),
    Entry(
        "in-term-plan",
        FigureKind.IN_TERM_PLAN.label,
        _("임기 중 해마다 이 사업에 쓰기로 계획한 금액입니다."),
    ),
    Entry(
        "after-term",
        periods.NAMES[periods.AFTER],
        _("이번 임기가 끝난 뒤로 계획된 금액이나 일입니다."),
    ),
    Entry(
        "secured",
        FigureKind.SECURED.label,
        _("재원별로 예산에 이미 마련해 둔 금액입니다. 확보한 돈이 곧 쓴 돈은 아닙니다."),
    ),
    Entry(
        "executed",
        FigureKind.EXECUTED.label,
        _("이 사업에 실제로 지출한 금액입니다."),
    ),
    Entry(
        "execution-rate",
        _("집행률"),
        _(
            "누적 집행(기투자 + 임기내 집행) ÷ 총사업비(현재계획)를 백분율로 나타낸 값입니다. "
            "전체 사업비 가운데 얼마가 쓰였는지를 말할 뿐, 사업이 얼마나 진척되었는지를 말하지는 "
            "않습니다. 임기내 집행률은 임기내 집행을 마감된 연도의 임기내 계획과 비교합니다."
        ),
    ),
    Entry(
        "sources",
        _("재원"),
        _("누가 돈을 내는지를 나눈 것입니다."),
        parts=[(FundingSource(source).label, text) for source, text in SOURCE_TEXTS.items()],
    ),
    Entry(
        "special-grant",
        FundingSource.SPECIAL_GRANT.label,
        _("특별조정교부금: 정규 예산과 별도로 특정 사업을 위해 시에 교부되는 돈입니다."),
    ),
    *[Entry(f"stage-{stage.value}", stage.label, text) for stage, text in STAGE_TEXTS.items()],
    Entry(
        "million-won",
        BudgetUnit.MILLION.label,
        _("이 누리집의 모든 금액 단위입니다. 1,000백만원 = 10억원."),
    ),
]

SLUGS = {entry.slug for entry in ENTRIES}
