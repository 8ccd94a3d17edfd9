"""Access tokens for the ragbook add-in (xlwings Server's "custom" provider).

Switched on with ``XLWINGS_AUTH_PROVIDERS=["custom"]``. The add-in sends the
token an officer typed into the task pane as the raw ``Authorization`` header;
it is accepted only if it is one of the comma-separated tokens in the
environment variable ``RAGBOOK_TOKENS`` (read on every request, so IT can
change the list and restart nothing but the environment). "Bearer " in front is
tolerated. xlwings Server's built-in "test-token" is NOT accepted.

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

from fastapi import HTTPException, status
from xlwings_server.models import User

logger = logging.getLogger(__name__)

TOKENS_ENV = "RAGBOOK_TOKENS"


def accepted_tokens() -> list[str]:
    """The tokens listed in RAGBOOK_TOKENS (blank entries ignored)."""
    return [token.strip() for token in os.environ.get(TOKENS_ENV, "").split(",")
            if token.strip()]


def _reject(detail: str) -> HTTPException:
    return HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail=detail)


async def validate_token(token_string: str) -> User:
    """Return the user for a valid token; raise HTTP 401 for anything else."""
    token = (token_string or "").strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    tokens = accepted_tokens()
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
    for number, candidate in enumerate(tokens, start=1):
        if hmac.compare_digest(given, candidate.encode("utf-8")):
            matched = number
    if matched is None:
        raise _reject("That access token is not accepted by this ragbook server: check it "
                      "with IT.")
    # An id that tells tokens apart in the logs without revealing them.
    fingerprint = hashlib.sha256(given).hexdigest()[:8]
    return User(id=f"token-{matched}-{fingerprint}", name=f"ragbook user (token {matched})")
