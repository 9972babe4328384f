"""Property-based tests: hostile query strings and import files never crash, never half-write."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgets.models import BudgetFigure
from budgets.resources import COLUMNS, BudgetFigureResource, ImportRefused, SafeCSV, SafeXLSX
from budgets.services import FiguresImportRefused, figures_import

pytestmark = pytest.mark.django_db

QUERY_KEYS = ["q", "stage", "department", "vision", "budget", "sort", "page", "term"]
text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=st.dictionaries(st.sampled_from(QUERY_KEYS), text, max_size=5))
def test_list_and_api_filters_never_give_a_server_error(params):
    client = Client()
    for url in ("/pledges/", "/api/pledges/", "/api/pledges.csv", "/"):
        response = client.get(url, params)
        assert response.status_code < 500, (url, params)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=text)
def test_unknown_pledge_codes_are_404_not_500(path):
    client = Client()
    code = path.replace("/", "").replace("?", "").replace("#", "") or "x"
    assert client.get(f"/api/pledges/{code}/").status_code in (200, 400, 404)


cell = st.one_of(
    st.none(),
    st.integers(min_value=-(10**6), max_value=10**7),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
    st.sampled_from(["12-7", "12-1", "본사업", "집행금액", "계", "시비", "2025", "기투자", "=1+1"]),
)
row = st.lists(cell, min_size=7, max_size=7)


def _snapshot():
    return sorted(BudgetFigure.objects.values_list("pk", "amount", "note"))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(row, min_size=1, max_size=8))
def test_random_rows_never_crash_and_never_half_write(rows):
    import tablib

    before = _snapshot()
    headers = [
        COLUMNS[k] for k in ("pledge", "project", "table", "source", "period", "amount", "note")
    ]
    dataset = tablib.Dataset(*[tuple(r) for r in rows], headers=headers)
    resource = BudgetFigureResource()
    result = resource.import_data(dataset)
    assert _snapshot() == before  # checking a file never writes
    if not result.has_errors() and not result.has_validation_errors():
        try:
            figures_import(amounts=resource.amounts, notes=resource.notes, reason="fuzz")
        except FiguresImportRefused:
            assert _snapshot() == before  # refused: nothing written
    for row_result in result.rows:
        for error in row_result.errors:
            assert not isinstance(error.error, (TypeError, AttributeError, KeyError)), (
                error.traceback
            )


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=4000))
def test_random_bytes_as_files_are_read_or_refused_cleanly(data):
    for file_format in (SafeXLSX(), SafeCSV()):
        try:
            file_format.create_dataset(data)
        except ImportRefused:
            pass
        except Exception as error:  # tablib's csv reader may refuse malformed text
            assert "csv" in type(error).__module__.lower() or isinstance(error, ValueError), error


def test_a_million_row_csv_is_refused_before_reading_rows():
    data = ("\n".join(["12-7,본사업,집행금액,계,2025,1,"] * 1_000_000)).encode()
    with pytest.raises(ImportRefused, match="행이 너무 많습니다"):
        SafeCSV().create_dataset(data)
