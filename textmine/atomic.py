"""Write files so that they appear whole or not at all.

A temporary file is created beside the target and renamed over it only when writing
succeeded; on failure it is removed and an existing target is left untouched.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["temp_beside", "publish", "atomic_path"]


def temp_beside(target: Path) -> Path:
    """An empty temporary file in ``target``'s folder (hidden, ``.partial`` suffix)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    return Path(name)


def publish(tmp: Path, target: Path) -> None:
    """Move a finished ``tmp`` over ``target``, keeping the target's mode if it exists.

    mkstemp creates files readable by the owner only; a new file gets 0644 instead. (Reading
    the umask would mean changing it, which is process-wide state a library must not touch.)
    """
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    os.chmod(tmp, mode)
    os.replace(tmp, target)


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write; it replaces ``target`` when the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(target)
    try:
        yield tmp
        publish(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
