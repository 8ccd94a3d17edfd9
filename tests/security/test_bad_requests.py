"""A signed-in request that is not what the add-in sends gets 400 and one sentence saying
what is wrong, never a bare 500: each kind by example, then random and mutated payloads."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from excel_payload import payload_from_workbook
from serving import Server, function_call, serve

TOKEN = "bad-requests-token"
SCRIPT = "/xlwings/custom-scripts-call/recalculate_rag"
SCRIPTS = [f"/xlwings/custom-scripts-call/{name}" for name in
           ("recalculate_rag", "check_milestones", "build_appendix", "roll_forward")]
FUNCTION = "/xlwings/custom-functions-call"
PLAN = ROOT / "tests" / "corpus" / "plans" / "good_plan.xlsx"
HEADERS = {"Content-Type": "application/json", "Authorization": TOKEN}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("bad-requests"),
                     XLWINGS_AUTH_PROVIDERS='["custom"]', RAGBOOK_TOKENS=TOKEN)


@pytest.fixture(scope="module")
def plan() -> dict:
    return payload_from_workbook(PLAN)


def post(server: Server, path: str, body: object) -> tuple[int, object]:
    content = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    answer = server.post(path, content=content, headers=HEADERS)
    try:
        return answer.status_code, answer.json()
    except ValueError:
        return answer.status_code, answer.text


def one_sentence(detail: object) -> bool:
    return (isinstance(detail, str) and 10 < len(detail) < 400 and "\n" not in detail
            and "Traceback" not in detail and detail[0].isupper())


def edited(plan: dict, change) -> dict:
    payload = copy.deepcopy(plan)
    change(payload)
    return payload


def sheet(payload: dict, name: str) -> dict:
    return next(s for s in payload["sheets"] if s["name"] == name)


CASES = {
    "malformed JSON": (b'{"client": "Office.js", "book": {', "not valid JSON"),
    "a list": (b"[1,2,3]", "should be the workbook as an object"),
    "an object that is no workbook": (b'{"a":1}', 'has no "client"'),
    "an empty body": (b"", "The request is empty"),
    "not UTF-8": (b"\xff\xfe{}", "not text (UTF-8)"),
    "NaN in a cell": (None, "not a value a cell can hold"),
    "sheets not a list": (lambda p: p.update(sheets={"a": 1}), '"sheets" should be a list'),
    "no sheets": (lambda p: p.update(sheets=[]), "has no sheets"),
    "a sheet that is a number": (lambda p: p["sheets"].__setitem__(0, 7), "should be an object"),
    "ragged rows": (lambda p: sheet(p, "Measures")["values"][2].pop(),
                    "every row should have the same number"),
    "a row that is text": (lambda p: sheet(p, "Actions")["values"].__setitem__(1, "x"),
                           "should be a list of cells"),
    "an object in a cell": (lambda p: sheet(p, "Measures")["values"][1].__setitem__(3, {"a": 1}),
                            "holds an object"),
    "a list in a cell": (lambda p: sheet(p, "Measures")["values"][1].__setitem__(3, [1]),
                         "holds a list"),
    "a garbage table address": (
        lambda p: sheet(p, "Actions")["tables"][0].update(range_address="garbage!!"),
        '"range_address" should be a range such as A1:D10'),
    "a table address past Excel's grid": (
        lambda p: sheet(p, "Actions")["tables"][0].update(range_address="A1:ZZZZ9"),
        '"range_address" should be a range'),
    "a table's parts outside it": (
        lambda p: sheet(p, "Actions")["tables"][0].update(data_body_range_address="Z50:Z60"),
        "its parts lie outside its range"),
    "a table without its flags": (lambda p: sheet(p, "Actions")["tables"][0].pop("show_totals"),
                                  'has no "show_totals"'),
    "a table name that is a number": (
        lambda p: sheet(p, "Actions")["tables"][0].update(name=5), '"name" should be text'),
    "a used range past the values": (
        lambda p: sheet(p, "Actions").update(used_range_address="A1:AZ900"),
        "reaches past the values sent"),
    "an active sheet that is not there": (lambda p: p["book"].update(active_sheet_index=99),
                                          "but there are"),
    "two sheets of one name": (lambda p: p["sheets"][1].update(name=p["sheets"][0]["name"]),
                               "Two sheets are called"),
    "a sheet name too long": (lambda p: p["sheets"][1].update(name="x" * 40),
                              "is not a sheet name"),
    "names not a list": (lambda p: p.update(names="x"), '"names" should be a list'),
    "args not a list": (lambda p: p.update(args="x"), '"args" should be a list'),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_body_that_is_not_the_workbook_shape_is_400_with_one_sentence(server, plan, case):
    change, expected = CASES[case]
    if isinstance(change, bytes):
        body: object = change
    elif change is None:
        body = json.dumps(plan).replace('"Settings"', "NaN", 1).encode()
    else:
        body = edited(plan, change)
    status, answer = post(server, SCRIPT, body)
    assert status == 400, (case, status, answer)
    assert one_sentence(answer["detail"]), answer
    assert expected in answer["detail"], answer["detail"]


FUNCTION_CASES = {
    "an unknown function": (dict(function_call("rag", 1, 2, "x"), func_name="evaluate"),
                            'There is no ragbook function called "evaluate"'),
    "a dunder name": (dict(function_call("rag", 1, 2, "x"), func_name="__builtins__"),
                      "There is no ragbook function"),
    "too few arguments": (function_call("rag", 72), "RAGBOOK.RAG takes 3 to 5 arguments, not 1"),
    "too many arguments": (function_call("milestone_due", "By 2019", 1, 2),
                           "RAGBOOK.MILESTONE_DUE takes 1 arguments, not 3"),
    "an argument that is no range": (dict(function_call("rag", 1, 2, "x"), args=[1, 2, 3]),
                                     "should be a range of cells"),
    "an object as an argument": (dict(function_call("rag", 1, 2, "x"),
                                      args=[[[{"a": 1}]], [[2]], [["x"]]]), "holds an object"),
    "args missing": ({k: v for k, v in function_call("rag", 1, 2, "x").items() if k != "args"},
                     'has no "args"'),
    "a list": ([1, 2], "should be a function call as an object"),
}


@pytest.mark.parametrize("case", list(FUNCTION_CASES))
def test_a_bad_function_call_is_400_with_one_sentence(server, case):
    body, expected = FUNCTION_CASES[case]
    status, answer = post(server, FUNCTION, body)
    assert status == 400, (case, status, answer)
    assert one_sentence(answer["detail"]), answer
    assert expected in answer["detail"], answer["detail"]


def test_the_good_plan_still_gets_its_actions(server, plan):
    for path in SCRIPTS:
        status, answer = post(server, path, plan)
        assert status == 200, (path, answer)
        assert answer["actions"]


# --- random and mutated payloads: never a 500 --------------------------------------------

cells = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(
    allow_nan=False, allow_infinity=False) | st.text(max_size=30)
json_values = st.recursive(
    cells, lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(st.text(max_size=12), inner, max_size=5), max_leaves=25)


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:6]):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def mutated(draw, plan: dict) -> dict:
    payload = copy.deepcopy(plan)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(payload) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        holder = payload
        for key in path[:-1]:
            holder = holder[key]
        how = draw(st.sampled_from(["replace", "delete", "address", "cell"]))
        if how == "delete":
            del holder[path[-1]]
        elif how == "address":
            holder[path[-1]] = draw(st.sampled_from(
                ["A1:XFD1048576", "A:Q", "1:1", "A1", "B2:A1", "XFD1048576", "A0", "", "A1:B",
                 "Sheet1!A1:B2", "$A$1:$B$2", "ZZ99:ZZ100"]))
        elif how == "cell":
            holder[path[-1]] = draw(cells)
        else:
            holder[path[-1]] = draw(json_values)
    return payload


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_and_mutated_payloads_never_get_a_500(server, plan, data):
    path = data.draw(st.sampled_from([*SCRIPTS, FUNCTION]), label="path")
    kind = data.draw(st.sampled_from(["random", "mutated plan", "mutated call", "bytes"]))
    if kind == "random":
        body: object = data.draw(json_values)
    elif kind == "mutated plan":
        body = data.draw(mutated(plan))
    elif kind == "mutated call":
        body = data.draw(mutated(function_call("milestone_check", "By March 2019", "On track",
                                               43281)))
    else:
        body = data.draw(st.binary(max_size=200))
    status, answer = post(server, path, body)
    assert status != 500 and status < 500, (status, answer)
    if status == 400:
        assert one_sentence(answer["detail"]), answer
    else:
        assert status == 200, (status, answer)
