"""Access tokens for the ragbook add-in (xlwings Server's "custom" provider).

Switched on with ``XLWINGS_AUTH_PROVIDERS=["custom"]``. The add-in sends the
token an officer typed into the task pane as the raw ``Authorization`` header;
it is accepted only if it is one of the comma-separated tokens in the
environment variable ``RAGBOOK_TOKENS`` (read on every request, so IT can
change the list and restart nothing but the environment). An entry may name
the officer it was given to, ``jane.smith=TOKEN``: the run log then says who
ran ragbook; an unnamed token is logged as "token 2" (its place in the list).
"Bearer " in front is tolerated. xlwings Server's built-in "test-token" is NOT
accepted.

This file must import nothing beyond the standard library, FastAPI and
xlwings_server: if importing it failed, xlwings Server would fall back to its
own example validator, which accepts "test-token". (ragbook serve refuses to
start in that case.)
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re

from fastapi import HTTPException, status
from xlwings_server.models import User

logger = logging.getLogger(__name__)

TOKENS_ENV = "RAGBOOK_TOKENS"


_NAMED = re.compile(r"^([\w.@' -]{1,64})=((?!=).{8,})$")
"""``name=token``: a name of letters, digits, spaces and .@'-, and a token of at least eight
characters (so that a token ending in base64's ``=`` padding is not taken for a name)."""


def named_tokens() -> list[tuple[str, str]]:
    """(officer's name, token) for each entry of RAGBOOK_TOKENS (blank entries ignored);
    an entry without ``name=`` in front is named by its place in the list."""
    found = []
    entries = [entry.strip() for entry in os.environ.get(TOKENS_ENV, "").split(",")]
    for number, entry in enumerate((e for e in entries if e), start=1):
        named = _NAMED.match(entry)
        if named and named[1].strip():
            found.append((named[1].strip(), named[2].strip()))
        else:
            found.append((f"token {number}", entry))
    return found


def accepted_tokens() -> list[str]:
    """The tokens listed in RAGBOOK_TOKENS."""
    return [token for _, token in named_tokens()]


def _reject(detail: str) -> HTTPException:
    return HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail=detail)


async def validate_token(token_string: str) -> User:
    """Return the user for a valid token; raise HTTP 401 for anything else."""
    token = (token_string or "").strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    tokens = named_tokens()
    if not tokens:
        logger.error("XLWINGS_AUTH_PROVIDERS includes \"custom\" but %s is empty: "
                     "every request is refused", TOKENS_ENV)
        raise _reject("This ragbook server has no access tokens set up: ask IT to set "
                      f"{TOKENS_ENV}.")
    if not token:
        raise _reject("No access token: enter the token IT gave you in the ragbook task pane.")
    # Compare with every token (no early exit), in constant time for each.
    given = token.encode("utf-8")
    matched = None
    for number, (name, candidate) in enumerate(tokens, start=1):
        if hmac.compare_digest(given, candidate.encode("utf-8")):
            matched = (number, name)
    if matched is None:
        raise _reject("That access token is not accepted by this ragbook server: check it "
                      "with IT.")
    # An id that tells tokens apart in the logs without revealing them.
    fingerprint = hashlib.sha256(given).hexdigest()[:8]
    number, name = matched
    return User(id=f"token-{number}-{fingerprint}", name=name)
