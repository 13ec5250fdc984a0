"""Dates as the reports write them, and their resolution against a report's period."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import re

from kfor_kg.lexicon.dates import (
    DateValue,
    complete_date,
    find_dates,
    fragment,
    month_number,
    parse,
    parse_date,
    parse_masthead_date,
    parse_number,
    resolve,
    resolve_day_month,
)

Q4_2020 = (dt.date(2020, 10, 1), dt.date(2020, 12, 31))
SEPT_2007 = (dt.date(2007, 9, 1), dt.date(2007, 9, 30))
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


@pytest.mark.parametrize("text, iso", [
    ("5 November 2007", "2007-11-05"),
    ("2 Oct 2008", "2008-10-02"),
    ("2 Oct. 2008", "2008-10-02"),
    ("July 3, 2008", "2008-07-03"),
    ("the 4th of November 2020", "2020-11-04"),
    ("2020-11-04", "2020-11-04"),
    ("mid-July 2017", "2017-07"),
    ("in July 2017", "2017-07"),
    ("the end of October 2020", "2020-10"),
    ("in 2013", "2013"),
    ("reached by Belgrade and Pristina on 19 April 2013", "2013-04-19"),
])
def test_full_dates(text: str, iso: str) -> None:
    value = parse(text)
    assert value is not None and value.iso == iso


def test_month_qualifier_is_kept() -> None:
    value = parse("which resumed in mid-July 2017")
    assert value == DateValue(dt.date(2017, 7, 1), dt.date(2017, 7, 31), "month", "mid")


@pytest.mark.parametrize("text, period, iso", [
    ("On 4 November, the Specialist Prosecutor's Office arrested", Q4_2020, "2020-11-04"),
    ("in London on 18 and 19 September", SEPT_2007, "2007-09-18"),
    ("the 9 February Kosovo assembly elections", (dt.date(2025, 1, 1), dt.date(2025, 3, 31)), "2025-02-09"),
    # A quarter that straddles the new year takes each month's own year.
    ("On 28 December", (dt.date(2007, 12, 1), dt.date(2008, 2, 29)), "2007-12-28"),
    ("On 3 January", (dt.date(2007, 12, 1), dt.date(2008, 2, 29)), "2008-01-03"),
    # Outside the period: the nearest year.
    ("On 30 November", (dt.date(2008, 1, 1), dt.date(2008, 1, 31)), "2007-11-30"),
    ("in September", SEPT_2007, "2007-09"),
    ("during December", (dt.date(2008, 1, 1), dt.date(2008, 1, 31)), "2007-12"),
])
def test_partial_dates_take_the_year_of_the_period(text: str, period: tuple[dt.date, dt.date], iso: str) -> None:
    value = parse(text, period)
    assert value is not None and value.iso == iso


def test_day_ranges() -> None:
    value = parse("on 18 and 19 September", SEPT_2007)
    assert value is not None and (value.start, value.end) == (dt.date(2007, 9, 18), dt.date(2007, 9, 19))
    assert value.is_range
    value = parse("(23 July-22 August 2000)")
    assert value is not None and (value.start, value.end) == (dt.date(2000, 7, 23), dt.date(2000, 8, 22))
    value = parse("from 23 December to 22 January 2008")
    assert value is not None and (value.start, value.end) == (dt.date(2007, 12, 23), dt.date(2008, 1, 22))
    value = parse("from 1 to 30 September 2007")
    assert value is not None and (value.start, value.end) == (dt.date(2007, 9, 1), dt.date(2007, 9, 30))


def test_last_month_in_a_monthly_report_is_the_month_before() -> None:
    assert parse("the killing of an officer last month", SEPT_2007).iso == "2007-08"  # type: ignore[union-attr]
    assert parse("last month", (dt.date(2008, 1, 1), dt.date(2008, 1, 31))).iso == "2007-12"  # type: ignore[union-attr]
    assert parse("the same as last month", None, dt.date(2021, 3, 8)).iso == "2021-02"  # type: ignore[union-attr]
    assert parse("next month", SEPT_2007).iso == "2007-10"  # type: ignore[union-attr]
    assert parse("last year", SEPT_2007).iso == "2006"  # type: ignore[union-attr]


def test_relative_days_need_an_anchor() -> None:
    (mention,) = find_dates("The direct negotiations took place the day after the meeting")
    assert mention.kind == "relative-day" and mention.offset == 1
    assert resolve(mention, SEPT_2007) is None
    anchor = DateValue(dt.date(2007, 9, 27), dt.date(2007, 9, 27), "day")
    assert resolve(mention, SEPT_2007, anchor=anchor).iso == "2007-09-28"  # type: ignore[union-attr]
    (later,) = find_dates("two days later")
    assert later.offset == 2
    (before,) = find_dates("3 days before")
    assert before.offset == -3


@pytest.mark.parametrize("text", [
    "The Mayor of May said",            # "May" alone is not a date
    "we may meet",
    "resolution 1244 (1999)",            # a year in brackets is a citation
    "15,314 troops from 21 countries",
    "paragraph 20 of resolution",
    "Marching orders",
])
def test_not_dates(text: str) -> None:
    assert find_dates(text) == []


def test_mentions_carry_offsets() -> None:
    text = "After meeting in London on 18 and 19 September, talks in New York on 28 September."
    mentions = find_dates(text)
    assert [text[m.start:m.end] for m in mentions] == ["18 and 19 September", "28 September"]
    assert [m.text for m in mentions] == ["18 and 19 September", "28 September"]


def test_without_period_or_reference_a_partial_date_is_unresolved() -> None:
    assert parse("On 4 November") is None
    assert parse("last month") is None


def test_without_period_the_reference_date_decides() -> None:
    # Events are reported after they happen: the latest such date not after the reference.
    assert resolve_day_month(4, 11, None, dt.date(2021, 3, 8)) == dt.date(2020, 11, 4)
    assert resolve_day_month(4, 2, None, dt.date(2021, 3, 8)) == dt.date(2021, 2, 4)


def test_impossible_dates_are_not_invented() -> None:
    assert parse("31 February 2020") is None
    assert resolve_day_month(29, 2, (dt.date(2021, 1, 1), dt.date(2021, 3, 31))) in (
        dt.date(2020, 2, 29), dt.date(2024, 2, 29), None)
    assert month_number("Sept.") == 9 and month_number("Smarch") is None


# --- full dates and counts, as the header facts read them ------------------------


@pytest.mark.parametrize("text,expected", [
    ("5 November 2007", dt.date(2007, 11, 5)),
    ("2 Oct 2008", dt.date(2008, 10, 2)),
    ("2 Oct. 2008", dt.date(2008, 10, 2)),
    ("July 3, 2008", dt.date(2008, 7, 3)),
    ("dated 21st September 2000 from", dt.date(2000, 9, 21)),
    ("31 February 2008", None),
    ("4 November", None),
    ("no date", None),
])
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text,later,expected", [
    ("1", dt.date(2019, 3, 31), dt.date(2019, 3, 1)),
    ("1 January", dt.date(2019, 3, 31), dt.date(2019, 1, 1)),
    ("1 December", dt.date(2008, 1, 31), dt.date(2007, 12, 1)),
    ("1st of December", dt.date(2008, 1, 31), dt.date(2007, 12, 1)),
    ("1 July 2017", dt.date(2017, 9, 30), dt.date(2017, 7, 1)),
    ("31", dt.date(2019, 2, 28), None),
    ("soon", dt.date(2019, 2, 28), None),
])
def test_complete_date(text: str, later: dt.date, expected: dt.date | None) -> None:
    assert complete_date(text, later) == expected


@pytest.mark.parametrize("text,expected", [
    ("15,314", 15314), ("4,600", 4600), ("nineteen", 19), ("fourteen", 14), ("twenty-one", 21),
    ("Eight", 8), ("some 3,500", 3500), ("just over 4,000", 4000), ("many", None), ("1,23", None), ("", None),
    ("18 thousand", 18000), ("4.5 thousand", 4500), ("twenty-one thousand", 21000), ("some 1.5 million", 1500000),
    ("4.5", None)])
def test_parse_number(text: str, expected: int | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Distr. générale 1er août 2014", dt.date(2014, 8, 1)),
    ("Distribución general 12 de septiembre de 2014", dt.date(2014, 9, 12)),
    ("Distr. GÉNÉRALE 3 DÉCEMBRE 2001", dt.date(2001, 12, 3)),
    ("31 février 2014", None),                  # no such day
    ("12 September 2014", None),                # English months are the main grammar's
])
def test_masthead_dates_in_french_and_spanish(text: str, expected: dt.date | None) -> None:
    found = parse_masthead_date(text)
    assert (found[0] if found else None) == expected
    if found and expected:
        assert text[found[1]:found[2]].endswith(str(expected.year))


def test_number_words_are_one_table_for_counts_and_relative_days() -> None:
    # "fourteen" is a count word of the header facts and, from the same table, a day offset.
    mention = find_dates("fourteen days later")[0]
    assert mention.kind == "relative-day" and mention.offset == 14


def test_fragments_embed_in_other_rules() -> None:
    period = re.compile(f"from ({fragment('day_month')}) to ({fragment('date')})")
    m = period.search("covers the period from 1 July to 30 September 2017.")
    assert m is not None and m.groups() == ("1 July", "30 September 2017")
    troops = re.compile(f"(?:({fragment('approximate')}) )?({fragment('number')}) troops")
    m = troops.search("there were some 3,500 troops")
    assert m is not None and m.groups() == ("some", "3,500")


# --- properties --------------------------------------------------------------------

periods = st.builds(
    lambda start, days: (start, start + dt.timedelta(days=days)),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)),
    st.integers(min_value=0, max_value=360),
)


@settings(max_examples=300, deadline=None)
@given(text=st.text(), period=st.none() | periods, reference=st.none() | st.dates())
def test_never_crashes_on_odd_text(text: str, period: tuple[dt.date, dt.date] | None,
                                   reference: dt.date | None) -> None:
    for mention in find_dates(text):
        assert 0 <= mention.start < mention.end <= len(text)
        assert text[mention.start:mention.end] == mention.text
        value = resolve(mention, period, reference)
        assert value is None or value.start <= value.end


date_words = st.sampled_from(["On ", "on ", "in ", "the ", "from ", "last month ", "mid-", "4 ", "May ", "2008 ",
                              "the day after ", "September ", "31 ", "and ", "-", "Sept. ", "(1999) ", "to "])


@settings(max_examples=300, deadline=None)
@given(words=st.lists(date_words, max_size=8), period=st.none() | periods,
       anchor=st.none() | st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_never_crashes_on_date_like_text(words: list[str], period: tuple[dt.date, dt.date] | None,
                                         anchor: dt.date | None) -> None:
    text = "".join(words)
    anchor_value = DateValue(anchor, anchor, "day") if anchor else None
    mentions = find_dates(text)
    for a, b in zip(mentions, mentions[1:]):
        assert a.end <= b.start
    for mention in mentions:
        resolve(mention, period, None, anchor_value)


@settings(max_examples=300, deadline=None)
@given(day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)),
       style=st.sampled_from(["{d} {M} {y}", "{d} {m} {y}", "{M} {d}, {y}", "On {d} {M} {y},", "the {d}th of {M} {y}"]))
def test_full_dates_round_trip(day: dt.date, style: str) -> None:
    month = MONTHS[day.month - 1]
    text = style.format(d=day.day, M=month, m=month[:3], y=day.year)
    value = parse(text)
    assert value is not None and value.start == day and value.precision == "day"


@settings(max_examples=300, deadline=None)
@given(period=periods, offset=st.integers(min_value=0, max_value=360))
def test_partial_dates_land_inside_a_period_shorter_than_a_year(period: tuple[dt.date, dt.date], offset: int) -> None:
    day = period[0] + dt.timedelta(days=offset % ((period[1] - period[0]).days + 1))
    if (day.month, day.day) == (2, 29):
        return
    value = parse(f"On {day.day} {MONTHS[day.month - 1]}, something happened", period)
    assert value is not None and value.start == day


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_header_parsers_never_crash_on_odd_text(text: str) -> None:
    date = parse_date(text)
    assert date is None or (isinstance(date, dt.date) and str(date.year) in text)
    number = parse_number(text)
    assert number is None or number >= 0
    completed = complete_date(text, dt.date(2020, 6, 30))
    # Completed from the later date, never after its month; a full date stands as written.
    assert completed is None or completed == date or (date is None and completed <= dt.date(2020, 6, 30))


def test_docstring_examples() -> None:
    import doctest

    import kfor_kg.lexicon.dates

    assert doctest.testmod(kfor_kg.lexicon.dates).failed == 0
