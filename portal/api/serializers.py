"""The open data's shapes, declared for the OpenAPI schema and checked on every response.

The values are built by ``portal.opendata`` (one place for what a pledge publishes); these
serializers name and type each field, so the schema at /api/schema/ is the contract and a
test validates real responses against it. Amounts: integers in 백만원, null = not published.
"""

from rest_framework import serializers

from budgets.models import FigureKind, FundingSource
from pledges.models import AdjustmentKind, NoteKind, Stage, StageProvenance
from publications.models import PublicationKind

Amount = serializers.IntegerField
NULL = {"allow_null": True, "required": False}


class AmountMap(serializers.DictField):
    """Period or source → 백만원, e.g. {"2023": 1330, "after_term": 925} or {"국비": 9420}."""

    child = Amount(allow_null=True)


class FinanceSerializer(serializers.Serializer):
    initial_total = Amount(**NULL)
    current_total = Amount(**NULL)
    in_term_plan = AmountMap(help_text='"total", years ("2023"), "~2022", "after_term"')
    secured_total = Amount(**NULL)
    secured_by_source = AmountMap(help_text="재원 이름(국비, 도비, 시비, 민자, 특조비, 기타)")
    executed_total = Amount(**NULL)
    executed_by_year = AmountMap()
    prior_invested = Amount(**NULL, help_text="기투자")
    executed_cumulative = Amount(**NULL, help_text="기투자 + 집행")
    execution_rate = serializers.FloatField(allow_null=True, help_text="% (cumulative)")
    execution_rate_in_term = serializers.FloatField(allow_null=True, required=False)
    definitions = serializers.DictField(child=serializers.CharField(), required=False)


class InvestmentSerializer(serializers.Serializer):
    total = Amount(**NULL)
    prior = Amount(**NULL, help_text="기투자")
    after_term = Amount(**NULL, help_text="임기후")
    by_year = AmountMap()
    by_source = AmountMap()


class CellSerializer(serializers.Serializer):
    """One printed cell of a money table."""

    project = serializers.CharField(help_text="세부사업 이름 (본사업 where there is one)")
    table = serializers.ChoiceField(choices=FigureKind.values)
    table_name = serializers.CharField(help_text="표 이름, e.g. 연도별 투자계획")
    source = serializers.ChoiceField(choices=FundingSource.values)
    source_name = serializers.CharField(help_text="재원: 계, 국비, 도비, 시비, 민자, 특조비, 기타")
    period = serializers.CharField(help_text='"total", "prior", "2024", "~2022", "after"')
    period_name = serializers.CharField(help_text="열 제목: 총사업비, 기투자, 2024, 임기후…")
    amount = Amount(help_text="백만원")


class ProjectSerializer(serializers.Serializer):
    name = serializers.CharField()
    position = serializers.IntegerField()
    overview = serializers.CharField(allow_blank=True, help_text="사업개요 as printed")
    finance = FinanceSerializer()
    investment = InvestmentSerializer()


class AttributeSerializer(serializers.Serializer):
    value = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True, help_text="Korean label")
    inferred = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)


class AttributesSerializer(serializers.Serializer):
    project_type = AttributeSerializer()
    implementer = AttributeSerializer()
    completion = AttributeSerializer()
    budget_type = AttributeSerializer()
    central_support = AttributeSerializer()
    stage = AttributeSerializer()


class TermSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()


class VisionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="the value ?vision= takes on the pledge list")
    number = serializers.IntegerField(help_text="the vision's number in its term, e.g. 12")
    title = serializers.CharField()
    subtitle = serializers.CharField(allow_blank=True)


class TargetSerializer(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True)
    goal = serializers.CharField(allow_blank=True)


class PlanSerializer(serializers.Serializer):
    period = serializers.CharField()
    until = serializers.CharField(
        allow_null=True, help_text="last period of a cell printed across years; null: one"
    )
    project = serializers.CharField(allow_null=True)
    text = serializers.CharField()


class MilestoneSerializer(serializers.Serializer):
    date = serializers.CharField(allow_blank=True, help_text="as printed")
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    precision = serializers.CharField(allow_null=True)
    status = serializers.CharField(
        allow_null=True, required=False, help_text="done, ongoing, planned"
    )
    project = serializers.CharField(allow_null=True)
    note_of = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()


class OfficialSerializer(serializers.Serializer):
    role = serializers.CharField()
    role_name = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    phone = serializers.CharField(allow_null=True)
    note = serializers.CharField(allow_null=True)


class ProgressSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    period = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    value = serializers.IntegerField()
    note = serializers.CharField(allow_null=True)


class QualityNoteSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text="budgets.quality rule name")
    project = serializers.CharField(allow_null=True)
    text = serializers.CharField(help_text="한국어 / English")
    kind = serializers.ChoiceField(
        choices=NoteKind.values, help_text="source 원문 불일치, reading 판독, note 참고"
    )
    citation = serializers.CharField(
        allow_null=True, help_text="source document and lines, for a recorded note"
    )


class AdjustmentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AdjustmentKind.values)
    kind_name = serializers.CharField(help_text="변경, 축소, 통합, 폐기")
    date = serializers.DateField(allow_null=True, help_text="null: the source prints none")
    precision = serializers.CharField(allow_null=True)
    date_printed = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()
    approved_by = serializers.CharField(allow_null=True, help_text="null: the source does not say")
    citation = serializers.CharField(help_text="source document and lines")


class PledgeDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    term = TermSerializer()
    vision = VisionSerializer()
    department = serializers.CharField()
    stage = serializers.ChoiceField(choices=Stage.values)
    stage_name = serializers.CharField()
    stage_inferred = serializers.BooleanField()
    stage_provenance = serializers.ChoiceField(
        choices=StageProvenance.values, help_text="printed, inferred or set by staff"
    )
    stage_reason = serializers.CharField(
        allow_null=True, help_text="why: the inference's reason or the staff's"
    )
    stage_since = serializers.DateField(allow_null=True)
    adjustments = AdjustmentSerializer(many=True, help_text="공약 조정 (변경·축소·통합·폐기)")
    summary = serializers.CharField(
        help_text="한 문장 요약: 페이지와 같은 집행률, 추정 표시 / the page's one-sentence summary"
    )
    target = TargetSerializer()
    objective = serializers.CharField(allow_blank=True)
    overview = serializers.CharField(allow_blank=True)
    attributes = AttributesSerializer()
    unit = serializers.CharField(help_text="백만원")
    finance = FinanceSerializer()
    investment = InvestmentSerializer()
    projects = ProjectSerializer(many=True)
    figures = CellSerializer(many=True, help_text="every printed cell, sub-project by sub-project")
    plans = PlanSerializer(many=True)
    milestones = MilestoneSerializer(many=True)
    officials = OfficialSerializer(many=True)
    progress = ProgressSerializer(many=True)
    problems = serializers.CharField(allow_blank=True)
    quality_notes = QualityNoteSerializer(many=True)
    as_of = serializers.DateField(help_text="the card's figures as of (printed or inferred)")
    as_of_precision = serializers.CharField(allow_null=True, required=False)
    as_of_printed = serializers.CharField(allow_null=True, required=False)
    rebuilt_as_of = serializers.DateField(
        allow_null=True, help_text="?as_of asked: rebuilt from the change history; else null"
    )
    updated_at = serializers.DateTimeField()
    source = serializers.CharField(
        allow_blank=True,
        help_text="출처: 문서 제목과 장, 공약 카드, 쪽, 수치 기준 시점 / the document by title "
        "and chapter, the card, its page and when its figures stand. The source text prints "
        "no page numbers: the citation says 쪽 번호 없음 (no page number) rather than guess "
        "one. The date is the card's own (카드 기준일) or, where the card prints none "
        "(카드에 기준일 없음), the report's (보고서 기준).",
    )
    source_lines = serializers.CharField(
        allow_blank=True,
        required=False,
        help_text="원문 텍스트 추출본의 줄 / lines of the source's text extraction "
        "(fixtures/sources/)",
    )
    url = serializers.URLField()


class PledgeSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    term = serializers.CharField(help_text="임기 이름 / the term's name, e.g. 민선8기")
    term_number = serializers.IntegerField(help_text="임기 번호 / the term's number, e.g. 8")
    vision = serializers.CharField()
    department = serializers.CharField()
    stage = serializers.ChoiceField(choices=Stage.values)
    stage_name = serializers.CharField()
    budget_type = serializers.CharField(allow_blank=True)
    target_year = serializers.IntegerField(allow_null=True)
    url = serializers.URLField()
    current_total = Amount(**NULL)
    secured_total = Amount(**NULL)
    executed_total = Amount(**NULL)
    prior_invested = Amount(**NULL)
    executed_cumulative = Amount(**NULL)
    execution_rate = serializers.FloatField(allow_null=True)
    execution_rate_in_term = serializers.FloatField(allow_null=True)
    stage_inferred = serializers.BooleanField()
    updated_at = serializers.DateTimeField()
    stage_provenance = serializers.ChoiceField(choices=StageProvenance.values)
    summary = serializers.CharField(
        help_text="한 문장 요약: 페이지와 같은 집행률, 추정 표시 / the page's one-sentence summary"
    )


class PledgePageSerializer(serializers.Serializer):
    as_of = serializers.DateField(allow_null=True, help_text="newest card as-of date")
    rebuilt_as_of = serializers.DateField(allow_null=True)
    unit = serializers.CharField()
    definitions = serializers.DictField(child=serializers.CharField())
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PledgeSummarySerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="not_found, bad_request, throttled, …")
    detail = serializers.CharField(help_text="한국어 / English")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class ChangeSerializer(serializers.Serializer):
    """One changed line of a publication."""

    kind = serializers.CharField(help_text="stage, field, figure, or a row kind (milestone…)")
    field = serializers.CharField(
        help_text="카드의 항목 이름 / the card's label, e.g. 집행금액 2025"
    )
    old = serializers.JSONField(
        allow_null=True, help_text="before: a number for amounts, else text"
    )
    new = serializers.JSONField(allow_null=True, help_text="after: a number for amounts, else text")
    unit = serializers.CharField(allow_null=True, help_text="백만원 for amounts, else null")
    date = serializers.DateField(allow_null=True, help_text="a stage change: since when")
    reason = serializers.CharField(allow_blank=True)
    text = serializers.CharField(help_text="the line as the pledge page prints it")


class PublicationPledgeSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    term = TermSerializer()
    url = serializers.URLField()


class RoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PublicationSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="tag: URI, the same as the Atom entry's id")
    pledge = PublicationPledgeSerializer()
    published_at = serializers.DateTimeField()
    round = RoundSerializer(allow_null=True)
    kind = serializers.ChoiceField(choices=PublicationKind.values)
    kind_name = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    changes = ChangeSerializer(many=True)


class PublicationPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PublicationSerializer(many=True)
