"""Crash-safe persistence of a search index: write a complete copy beside the folder,
then swap it in with one atomic rename, so a reader (or a restart after ``kill -9``)
finds either the old index or the new one, never a mix."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import RetrievalError
from .search import SearchEngine

logger = logging.getLogger(__name__)

_TEMP_PREFIX = ".building-"
_OLD_PREFIX = ".replaced-"
_RENAME_EXCHANGE = 2  # linux/fs.h


def save_atomically(engine: SearchEngine, directory: Path) -> None:
    """Persist ``engine`` into ``directory`` crash-safely (see :func:`replace_folder`),
    one save at a time: an overlapping one would clear this one's half-built folder."""
    with engine.changes_held():
        replace_folder(Path(directory), engine.save)


def replace_folder(directory: Path, write: Callable[[Path], None]) -> None:
    """Fill ``directory`` anew with ``write(folder)``, crash-safely.

    ``write`` fills a new hidden sibling folder (``.building-<name>-*``), which is fsynced;
    then that folder and ``directory`` are swapped with one atomic
    ``renameat2(RENAME_EXCHANGE)`` (Linux), or, where that is missing, ``directory`` is
    renamed aside and the new folder renamed into place (a crash between those two
    renames leaves the old copy in ``.replaced-<name>-*``, which :func:`recover`
    restores). Leftovers of earlier crashed saves are removed first.
    """
    parent = directory.parent
    parent.mkdir(parents=True, exist_ok=True)
    recover(directory)
    building = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{directory.name}-", dir=parent))
    try:
        write(building)
        _fsync_tree(building)
        if directory.exists():
            _swap(building, directory)  # `building` now holds the old copy
            shutil.rmtree(building, ignore_errors=True)
        else:
            os.rename(building, directory)
        _fsync_dir(parent)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def recover(directory: Path) -> None:
    """Undo what a crashed :func:`save_atomically` left beside ``directory``: remove
    half-written ``.building-*`` folders and, if ``directory`` is missing, move the
    replaced index back."""
    directory = Path(directory)
    parent = directory.parent
    if not parent.exists():
        return
    for leftover in parent.glob(f"{_TEMP_PREFIX}{directory.name}-*"):
        logger.warning("removing the unfinished index %s", leftover)
        shutil.rmtree(leftover, ignore_errors=True)
    for old in sorted(parent.glob(f"{_OLD_PREFIX}{directory.name}-*")):
        if directory.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            logger.warning("restoring the index %s from %s", directory, old)
            os.rename(old, directory)


def _swap(new: Path, current: Path) -> None:
    try:
        _exchange(new, current)
    except OSError as exc:
        if exc.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EPERM):
            raise RetrievalError(f"cannot replace the index in {current}: {exc}") from exc
        # No atomic exchange here: two renames, recoverable by `recover`.
        aside = Path(tempfile.mkdtemp(prefix=f"{_OLD_PREFIX}{current.name}-", dir=current.parent))
        aside.rmdir()
        os.rename(current, aside)
        os.rename(new, current)
        os.rename(aside, new)


def _exchange(first: Path, second: Path) -> None:
    """Atomically swap two paths (Linux ``renameat2`` with ``RENAME_EXCHANGE``)."""
    libc_name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(libc_name, use_errno=True) if libc_name else None
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    at_fdcwd = -100
    result = renameat2(
        at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        else:
            _fsync_dir(path)
    _fsync_dir(root)


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
