"""Writing output files: checked before the work that fills them, written whole or not at all.

A command that computes for minutes and then cannot write its report has wasted the minutes:
:func:`check_writable` is called on every output path before the work (a directory, a missing
directory, a place where nothing can be written is :class:`~.errors.BadInput` naming the
parameter or flag), and :func:`atomic_path` writes to a temporary file beside the target and
renames it into place, so a reader never sees half a file and a failure leaves no debris.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with atomic_path(folder / "out.txt") as tmp:
...     _ = tmp.write_text("done")
>>> (folder / "out.txt").read_text(), sorted(p.name for p in folder.iterdir())
('done', ['out.txt'])
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import BadInput, Problem

__all__ = ["atomic_path", "check_writable"]


def check_writable(path: str | Path, param: str) -> Path:
    """``path`` as a :class:`Path` if a file can be written there (its folder exists and takes
    a new file; it is not a directory), else :class:`BadInput` at ``param``."""
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        raise BadInput(Problem(f"'{target}' is a directory; give a file name", path=param))
    if not folder.exists():
        raise BadInput(Problem(f"directory '{folder}' does not exist", path=param))
    if not folder.is_dir():
        raise BadInput(Problem(f"'{folder}' is not a directory", path=param))
    try:  # the only sure test (permissions, read-only mounts, /proc): write a file there
        fd, probe = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".check")
    except OSError as exc:
        raise BadInput(
            Problem(f"cannot write in '{folder}': {exc.strerror or exc}", path=param)
        ) from None
    os.close(fd)
    os.unlink(probe)
    return target


def _mode(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` (same suffix, so writers that read the format from
    it still do) that becomes ``path`` when the block succeeds and is removed when it fails."""
    target = Path(path)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=target.suffix)
    os.close(fd)
    tmp = Path(name)
    os.chmod(tmp, _mode(target))  # as a new file would have, or the file it replaces
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
