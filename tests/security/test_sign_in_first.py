"""Every request that sends something is signed in before a byte of it is read: without the
right token the answer is 401, whatever the body, the size or the route."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from conftest import DEMO_PLAN
from excel_payload import payload_from_workbook
from serving import Server, function_call, serve

TOKEN = "s3cret-token-for-tests"
SCRIPT = "/xlwings/custom-scripts-call/recalculate_rag"
FUNCTION = "/xlwings/custom-functions-call"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("sign-in"), XLWINGS_AUTH_PROVIDERS='["custom"]',
                     RAGBOOK_TOKENS=TOKEN)


def _bodies() -> dict[str, bytes]:
    demo = json.dumps(payload_from_workbook(DEMO_PLAN)).encode("utf-8")
    return {
        "broken JSON": b"{not json",
        "a list": b"[1,2,3]",
        "an object that is no workbook": b'{"a":1}',
        "nothing": b"",
        "not text": bytes(range(256)),
        "the demo plan": demo,
        "a bad function call": json.dumps({"func_name": "nope", "args": 5}).encode(),
        "a good function call": json.dumps(function_call("rag", 72, 90, "Higher is better"))
        .encode(),
        "too large": b" " * (11 * 1024 * 1024),
    }


BODIES = _bodies()
WRONG = [None, "", "wrong", "Bearer wrong", "test-token", TOKEN + "x", TOKEN[:-1],
         (TOKEN[:-1] + "\u00e9").encode("latin-1"), "Basic " + TOKEN]


@pytest.mark.parametrize("body", list(BODIES))
@pytest.mark.parametrize("path", [SCRIPT, "/xlwings/custom-scripts-call/no_such_script",
                                  "/xlwings/custom-scripts-call/__doc__", FUNCTION, "/",
                                  "/xlwings/anything"])
def test_without_the_right_token_every_post_is_401(server, body, path):
    for token in WRONG:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = token
        answer = server.post(path, content=BODIES[body], headers=headers)
        assert answer.status_code == 401, (body, path, token, answer.text[:200])
        assert "token" in answer.json()["detail"]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_methods_are_signed_in_first_too(server, method):
    status, body = server.raw(method, SCRIPT, b"{not json")
    assert status == 401, body


def test_with_the_right_token_the_same_requests_get_their_answers(server):
    headers = {"Content-Type": "application/json", "Authorization": TOKEN}
    answer = server.post(SCRIPT, content=BODIES["the demo plan"], headers=headers)
    assert answer.status_code == 200
    assert answer.json()["actions"]
    answer = server.post(FUNCTION, content=BODIES["a good function call"], headers=headers)
    assert answer.json()["result"] == [["R"]]
    assert server.post(SCRIPT, content=BODIES["too large"], headers=headers).status_code == 413
    assert server.post(SCRIPT, content=BODIES["broken JSON"], headers=headers).status_code == 400


def test_pages_excel_loads_before_sign_in_need_no_token(server):
    for page in ("/manifest", "/taskpane.html", "/static/js/main.js",
                 "/xlwings/custom-functions-meta"):
        assert server.get(page).status_code == 200, page
