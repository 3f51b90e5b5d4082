"""The cases a server offers: the built-in library and the files uploaded to it.

A case is named in URLs by an id, never by a path: a built-in case by its name
(``bmd-europe``), an uploaded file by ``u-`` and the start of the SHA-256 of its text. An
uploaded file is validated (with the safe YAML loader, as ``dilemma validate`` does) before
it is kept, in the server's upload folder, under that id.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadInput, Problem
from ..scenario import Case, builtin_case_names, builtin_case_path, case_problems
from ..scenario.loader import load_case_file
from ..scenario.reader import read_yaml_text

__all__ = ["CASE_ID", "CaseEntry", "CaseLibrary", "check_text"]

CASE_ID = r"^[a-z0-9][a-z0-9-]{0,63}$"
"""What a case id in a URL may look like (no dots, no slashes)."""


@dataclass(frozen=True, slots=True)
class CaseEntry:
    """A case the server offers: its URL id, the case, and whether it was uploaded."""

    key: str
    case: Case
    uploaded: bool


def check_text(text: str, file: str) -> tuple[Case | None, list[Problem]]:
    """Validate case YAML text: the case (if valid) and every located problem, exactly as
    ``dilemma validate`` reports them."""
    try:
        return case_problems(read_yaml_text(text, file))
    except BadInput as exc:
        return None, list(exc.problems)


class CaseLibrary:
    """Built-in cases plus the valid files uploaded into ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: dict[str, tuple[float, CaseEntry]] = {}

    def keys(self) -> list[str]:
        """Ids of every case: built-in first, then uploaded ones (sorted)."""
        uploaded = (
            sorted(p.stem for p in self.folder.glob("u-*.yaml")) if self.folder.is_dir() else []
        )
        return [*builtin_case_names(), *uploaded]

    def path(self, key: str) -> Path:
        """The file behind an id; :class:`BadInput` (path ``case``) for an unknown id."""
        if not re.match(CASE_ID, key):
            raise BadInput(Problem(f"not a case id: {key!r}", path="case"))
        if key.startswith("u-"):
            path = self.folder / f"{key}.yaml"
            if path.is_file():
                return path
            raise BadInput(Problem(f"no uploaded case '{key}'", path="case"))
        try:
            return builtin_case_path(key)
        except BadInput:
            raise BadInput(Problem(f"unknown case '{key}'", path="case")) from None

    def get(self, key: str) -> CaseEntry:
        """The case with this id (parsed once per version of its file)."""
        path = self.path(key)
        mtime = path.stat().st_mtime
        hit = self._cache.get(key)
        if hit is not None and hit[0] == mtime:
            return hit[1]
        entry = CaseEntry(key, load_case_file(path), key.startswith("u-"))
        self._cache[key] = (mtime, entry)
        return entry

    def text(self, key: str) -> str:
        """The YAML text of the case with this id."""
        return self.path(key).read_text(encoding="utf-8")

    def entries(self) -> list[CaseEntry]:
        """Every case the server offers."""
        return [self.get(k) for k in self.keys()]

    def add(self, text: str, name: str = "upload.yaml") -> CaseEntry:
        """Validate and keep an uploaded case; :class:`BadInput` with every problem."""
        case, problems = check_text(text, name)
        if problems or case is None:
            raise BadInput(problems or [Problem("not a case", name)])
        key = "u-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{key}.yaml").write_text(text, encoding="utf-8")
        return CaseEntry(key, case, True)
