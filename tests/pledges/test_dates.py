from datetime import date

import pytest

from pledges.dates import parse_printed_date


@pytest.mark.parametrize(
    ("text", "start", "precision", "end", "end_precision", "open_ended"),
    [
        ("2022. 10.", date(2022, 10, 1), "month", None, "", False),
        ("2023. 5. 25.", date(2023, 5, 25), "day", None, "", False),
        ("2023. 4. ~ 9.", date(2023, 4, 1), "month", date(2023, 9, 1), "month", False),
        ("2022. 7 ~ 9.", date(2022, 7, 1), "month", date(2022, 9, 1), "month", False),
        ("2024. 1. ~", date(2024, 1, 1), "month", None, "", True),
        ("2023. 12. ~ 2024. 2.", date(2023, 12, 1), "month", date(2024, 2, 1), "month", False),
        ("2023. 5. 1. ~ 15.", date(2023, 5, 1), "day", date(2023, 5, 15), "day", False),
        ("2023.", date(2023, 1, 1), "year", None, "", False),
    ],
)
def test_printed_dates_parse_with_their_precision(
    text, start, precision, end, end_precision, open_ended
):
    parsed = parse_printed_date(text)
    assert (parsed.start, parsed.start_precision) == (start, precision)
    assert (parsed.end, parsed.end_precision, parsed.open_ended) == (end, end_precision, open_ended)


@pytest.mark.parametrize("text", ["soon", "2023. 13.", "12. 5."])
def test_text_that_is_not_a_date_is_refused(text):
    with pytest.raises(ValueError):
        parse_printed_date(text)


def test_no_date_is_a_note():
    assert parse_printed_date("").start is None
