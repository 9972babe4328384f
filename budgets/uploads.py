"""Checked import files waiting for their confirm, tied to the session that checked them.

The dry run stores the uploaded bytes under a random name the server chose, in a folder
of its own (``settings.IMPORT_UPLOAD_DIR``), and remembers it in the user's session
under a random token. The confirm step sends back only that token: the file name never
comes from the browser, so a forged or foreign token, another user's token or a path
finds nothing, and nothing is read or deleted. A token is used once; its file is
removed on confirm, and files older than ``settings.IMPORT_UPLOAD_MAX_AGE`` seconds are
removed whenever someone opens the import page.
"""

import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest

SESSION_KEY = "budget_figure_imports"
TOKEN_PATTERN = re.compile(r"[0-9a-f]{32}")
MAX_PENDING = 5  # per session: a new dry run drops the oldest


@dataclass(frozen=True)
class PendingUpload:
    token: str
    path: Path
    file_format: int
    original_name: str
    versions: dict[str, str]  # sub-project id → its version (updated_at) at the dry run


def _folder() -> Path:
    folder = Path(settings.IMPORT_UPLOAD_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def upload_store(
    request: HttpRequest,
    *,
    data: bytes,
    file_format: int,
    original_name: str,
    versions: dict[str, str],
) -> str:
    """Keep a file whose dry run passed; return the token the confirm step must send."""
    token = secrets.token_hex(16)
    path = _folder() / f"{token}.upload"
    path.write_bytes(data)
    pending = dict(request.session.get(SESSION_KEY, {}))
    while len(pending) >= MAX_PENDING:
        oldest = min(pending, key=lambda key: pending[key]["created"])
        pending.pop(oldest)
        _remove(oldest)
    pending[token] = {
        "user": request.user.pk,
        "format": file_format,
        "name": original_name[:200],
        "created": time.time(),
        "versions": versions,
    }
    request.session[SESSION_KEY] = pending
    return token


def upload_claim(request: HttpRequest, *, token: str) -> PendingUpload | None:
    """The upload this session's dry run stored under ``token``, taken out of the session.

    ``None`` for anything else: a malformed token, one from another session or user,
    one already used, or one older than the maximum age. Nothing is read or deleted
    then, except this session's own expired upload.
    """
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return None
    pending = dict(request.session.get(SESSION_KEY, {}))
    entry = pending.get(token)
    if entry is None or entry.get("user") != request.user.pk:
        return None
    del pending[token]
    request.session[SESSION_KEY] = pending
    path = _folder() / f"{token}.upload"
    if time.time() - entry["created"] > settings.IMPORT_UPLOAD_MAX_AGE or not path.is_file():
        path.unlink(missing_ok=True)
        return None
    return PendingUpload(
        token=token,
        path=path,
        file_format=entry["format"],
        original_name=entry["name"],
        versions=entry["versions"],
    )


def upload_release(upload: PendingUpload) -> None:
    upload.path.unlink(missing_ok=True)


def _remove(token: str) -> None:
    (_folder() / f"{token}.upload").unlink(missing_ok=True)


def uploads_purge(*, max_age: int | None = None) -> int:
    """Delete stored uploads older than the maximum age; return how many were deleted."""
    limit = time.time() - (settings.IMPORT_UPLOAD_MAX_AGE if max_age is None else max_age)
    removed = 0
    for path in _folder().glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
