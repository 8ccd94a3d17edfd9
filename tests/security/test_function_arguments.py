"""The worksheet functions read their arguments as Excel sends them, through the real
server: a date as its serial number (or as text), and a band it cannot read is said so."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from serving import Server, function_call, serve

FUNCTION = "/xlwings/custom-functions-call"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("functions"))


def result(server: Server, name: str, *args: object) -> object:
    answer = server.post(FUNCTION, json=function_call(name, *args))
    assert answer.status_code == 200, answer.text
    return answer.json()["result"][0][0]


@pytest.mark.parametrize(("as_of", "expected"), [
    (43281, "Due this quarter"),  # 30/06/2018, as a date cell arrives
    (43281.5, "Due this quarter"),
    ("30/06/2018", "Due this quarter"),
    ("2018-06-30", "Due this quarter"),
    ("30 June 2018", "Due this quarter"),
    (43190, "Due next quarter"),  # 31/03/2018
    (43466, "Overdue"),  # 01/01/2019
])
def test_milestone_check_reads_the_as_of_date_as_excel_sends_it(server, as_of, expected):
    assert result(server, "milestone_check", "By June 2018", "On track", as_of).startswith(
        expected)


def test_milestone_check_without_an_as_of_date_uses_today(server):
    text = result(server, "milestone_check", f"By March {date.today().year - 1}", "On track",
                  None)
    assert text.startswith("Overdue")


@pytest.mark.parametrize("as_of", ["soon", "31/02/2018", -5, 99999999, True])
def test_milestone_check_says_when_it_cannot_read_the_as_of_date(server, as_of):
    text = result(server, "milestone_check", "By June 2018", "On track", as_of)
    assert text.startswith("Not understood: as_of")
    assert "expected a date such as 30/06/2018" in text


@pytest.mark.parametrize(("band", "expected"), [(None, "↑"), (5, "→"), ("5", "→"), (0.5, "↑")])
def test_direction_reads_its_band(server, band, expected):
    assert result(server, "direction", 12, 10, "Higher is better", band) == expected


@pytest.mark.parametrize("band", ["about 2", "five", "2 pts"])
def test_direction_says_when_it_cannot_read_the_band(server, band):
    text = result(server, "direction", 12, 10, "Higher is better", band)
    assert text == (f'Not understood: band "{band}"; expected a number in the measure\'s unit, '
                    "or blank for 0")


def test_direction_says_when_it_cannot_read_a_figure(server):
    assert result(server, "direction", "TBC", 10, "Higher is better").startswith(
        'Not understood: current "TBC"')
    assert result(server, "direction", "n/a", 10, "Higher is better") == "n/a"
