"""Which files the add-in server may send: only files inside the folders meant to be served.

xlwings Server serves ``/static/PATH`` from the add-in project's ``static/`` folder, falling
back to its own, and joins ``PATH`` to the folder without checking where the result lands
(``/static/%2e%2e/.env`` would be the project's settings). :func:`served_file` is the check
ragbook puts in front: the request path is decoded as often as it decodes, Unicode look-alikes
folded, and refused unless every part of it is a plain name and the file it names, with
symlinks followed, lies inside one of the served folders. :func:`reachable_secrets` is the
check at start: no settings file or key may sit where a static route could reach it.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import unquote

DECODE_LIMIT = 10
"""A path still changing after this many rounds of percent-decoding is refused."""

SECRET_NAME = re.compile(
    r"(^\.env($|\.)|\.env$|\.(pem|key|p12|pfx|jks|keystore|kdbx)$|^id_(rsa|dsa|ecdsa|ed25519)"
    r"|^\.netrc$|^\.htpasswd$)", re.IGNORECASE)
"""Names of files that hold settings, tokens or private keys."""

SECRET_TEXT = re.compile(rb"(?m)-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----"
                         rb"|^[ \t]*(?:export[ \t]+)?(?:RAGBOOK|XLWINGS)_[A-Z0-9_]*[ \t]*=")
"""Text that marks a file as a key, or as settings (a line such as ``RAGBOOK_TOKENS=...``),
whatever its name."""

SCAN_BYTES = 1024 * 1024
"""How much of each served file the start-up check reads for :data:`SECRET_TEXT`."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f\\:]")


def plain_path(path: str) -> str | None:
    """``path`` (below the static prefix) as a relative path of plain names, or None when it
    is anything else: a ``..`` or ``.`` part, a hidden name, an empty part (``//``), an
    absolute or drive path, a backslash, a control character, however it was encoded."""
    text = path
    for _ in range(DECODE_LIMIT):
        try:
            decoded = unquote(unicodedata.normalize("NFKC", text), errors="strict")
        except UnicodeDecodeError:  # bytes that are no text, such as overlong %c0%ae
            return None
        if decoded == text:
            break
        text = decoded
    else:
        return None
    if not text or text.startswith("/") or _CONTROL.search(text):
        return None
    parts = text.split("/")
    # Windows drops trailing dots and spaces from a name (".. ." is ".."), so they go too.
    if any(not part or part.startswith(".") or part.rstrip(". ") != part for part in parts):
        return None
    return text


def _inside(candidate: Path, folder: Path) -> bool:
    try:
        return candidate.resolve(strict=True).is_relative_to(folder.resolve(strict=True))
    except (OSError, RuntimeError):  # missing, a symlink loop, a name too long
        return False


def served_file(path: str, folders: Sequence[Path]) -> Path | None:
    """The file a static request for ``path`` would be answered with, or None.

    ``path`` is the request path below the static prefix as the server decoded it.
    The folders are tried in order, as xlwings Server tries them; a name that exists in a
    folder but resolves outside it (a symlink) is refused there and then, not looked up in
    the next folder.
    """
    if plain_path(path) is None:
        return None
    for folder in folders:
        candidate = folder / path
        try:
            exists = candidate.exists() or candidate.is_symlink()
        except (OSError, ValueError):
            return None
        if not exists:
            continue
        if not _inside(candidate, folder) or not candidate.is_file():
            return None
        return candidate
    return None


def _looks_secret(path: Path) -> bool:
    try:
        if path.stat().st_size == 0:
            return False
        with path.open("rb") as file:
            head = file.read(SCAN_BYTES)
    except OSError:
        return False
    return SECRET_TEXT.search(head) is not None


def reachable_secrets(folders: Iterable[Path], secrets: Iterable[Path] = ()) -> list[str]:
    """Every settings or key file inside (or linked from) the served ``folders``, each as
    ``"PATH"`` or ``"PATH (a link to TARGET)"``.

    A file counts when its name or its target's name is a secret's (:data:`SECRET_NAME`),
    when its first megabyte holds a private key or ragbook's settings, or when it is one of
    ``secrets`` (the settings file and HTTPS key the server was started with).
    """
    known = set()
    for secret in secrets:
        try:
            known.add(Path(secret).resolve())
        except OSError:
            continue
    found: list[str] = []
    seen: set[Path] = set()
    for folder in folders:
        if not folder.is_dir():
            continue
        for root, directories, files in os.walk(folder, followlinks=True):
            here = Path(root).resolve()
            if here in seen:
                directories[:] = []
                continue
            seen.add(here)
            for name in files:
                entry = Path(root) / name
                try:
                    target = entry.resolve()
                except (OSError, RuntimeError):
                    continue
                if (SECRET_NAME.search(name) or SECRET_NAME.search(target.name)
                        or target in known or _looks_secret(entry)):
                    shown = str(entry)
                    if entry.is_symlink():
                        shown += f" (a link to {target})"
                    found.append(shown)
    return sorted(found)
