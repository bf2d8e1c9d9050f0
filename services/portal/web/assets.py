"""The pages' CSS and JavaScript, served by the app under a path that names their content.

CloudFront keeps `/static/*` for a day and browsers keep it too, so a file served under one
fixed name would reach people a day after a deploy changed it, beside pages that expect the new
one. A page names `/static/<version>/portal.css`, where the version is a digest of the files:
a deploy that changes them changes every page's links, and a file may be kept for a year. A link
from a page of the previous deploy still gets a file (the current one), never a 404.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).parent / "static"
MOUNT_PATH = "/static/{version}"
IMMUTABLE = "public, max-age=31536000, immutable"


def content_version(directory: Path) -> str:
    """A short digest of every file's name and bytes in `directory`."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


VERSION = content_version(STATIC)


def asset_url(name: str) -> str:
    """Where a page links a static file: `asset_url("portal.css")`."""
    return f"/static/{VERSION}/{name}"


class VersionedStaticFiles(StaticFiles):
    """The files with a year's caching: their URL changes whenever their content does."""

    def __init__(self) -> None:
        super().__init__(directory=STATIC)

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        return response
