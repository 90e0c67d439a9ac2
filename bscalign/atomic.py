"""Outputs written whole or not at all.

Every file bscalign writes (exports, the template, views, reports) goes through
:func:`write_file`: it is written to a temporary file in the same folder and renamed onto
its name only once complete, so a full disk, a killed process or an error halfway leaves
the previous file (or nothing), never a truncated file that looks whole. A folder of CSV
tables goes through :func:`write_folder` likewise. What cannot be written raises
:class:`OutputError`, whose message names the path and the reason.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class OutputError(Exception):
    """An output that cannot be written (missing folder, no permission, disk full...)."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: cannot write ({reason})")
        self.path = str(path)


def write_file(path: str | Path, write: Callable[[Path], T]) -> T:
    """Call ``write(temporary_path)``, then rename the temporary file onto ``path``.

    The temporary file lies beside ``path`` (a rename within one file system is atomic) and
    takes the mode the file would have had. A link is followed: the file it names is
    replaced. A ``path`` that is no regular file (``/dev/stdout``, a pipe) is written
    directly, since it cannot be replaced.

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = write_file(folder / "a.txt", lambda p: p.write_text("whole", encoding="utf-8"))
    >>> sorted(p.name for p in folder.iterdir())
    ['a.txt']
    >>> write_file(folder / "missing" / "a.txt", lambda p: None)
    Traceback (most recent call last):
    ...
    bscalign.atomic.OutputError: .../missing/a.txt: cannot write (no folder .../missing)
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        # Asked of the path itself: /dev/stdout resolves to a name such as "pipe:[51]".
        with _repeated_failures_dropped():
            try:
                return write(path)
            except BrokenPipeError:
                raise  # the reader stopped reading (| head): not a failure to report
            except BaseException as err:
                reason = _io_failure(err)
                if reason is None:
                    raise
        raise _failed_quietly(path, reason)
    target = Path(os.path.realpath(path))
    if not target.parent.is_dir():
        raise OutputError(path, f"no folder {target.parent}")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(handle)
    except OSError as err:
        raise OutputError(path, _reason(err)) from None
    with _repeated_failures_dropped():
        try:
            result = write(Path(temporary))
            os.chmod(temporary, _mode_for(target))
            os.replace(temporary, target)
            return result
        except BaseException as err:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            reason = _io_failure(err)
            if reason is None:
                raise
    raise _failed_quietly(path, reason)


@contextlib.contextmanager
def _repeated_failures_dropped() -> Iterator[None]:
    """While writing, drop a failure to write that comes again as an object is finalized
    (openpyxl's ZIP file on a full disk, closed once the first error lets go of it): the
    :class:`OutputError` for the first one says it all. Anything else is still shown."""
    previous_hook = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if _io_failure(unraisable.exc_value) is None:
            previous_hook(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous_hook


def _failed_quietly(path: Path, reason: str) -> OutputError:
    """The error for a write that failed, once what the writer left half done (openpyxl's
    sheet streams, its ZIP file) is finalized in silence: it complains again as it goes,
    and the error already says it all. Called once the ``except`` block has let go of it."""
    previous_hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        gc.collect()
    finally:
        sys.unraisablehook = previous_hook
    return OutputError(path, reason)


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all (see :func:`write_file`)."""
    write_file(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_folder(folder: str | Path, write: Callable[[Path], T]) -> T:
    """Call ``write(temporary_folder)``, then put what it wrote into ``folder``.

    A new ``folder`` (its parents are created) is the temporary folder renamed: it appears
    whole or not at all. Into an existing folder each file is moved by a rename (no rename
    needs disk space, so a full disk stops the writing before any file is replaced); files
    of the folder that ``write`` did not write stay.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(folder, "a file of that name exists; expected a folder")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    except OSError as err:
        raise OutputError(folder, _reason(err)) from None
    try:
        result = write(temporary)
        mode = _mode_for(folder / "new")
        for file in temporary.iterdir():
            os.chmod(file, mode)
        if folder.exists():
            for file in temporary.iterdir():
                os.replace(file, folder / file.name)
            temporary.rmdir()
        else:
            os.chmod(temporary, mode | 0o111 & ~_umask())
            temporary.rename(folder)
    except BaseException as err:
        shutil.rmtree(temporary, ignore_errors=True)
        if (reason := _io_failure(err)) is not None:
            raise OutputError(folder, reason) from None
        raise
    return result


def _mode_for(target: Path) -> int:
    """The existing file's mode, or what a new file gets (0666 less the umask)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _reason(err: OSError) -> str:
    return err.strerror or str(err)


def _io_failure(err: BaseException) -> str | None:
    """Why writing failed, when ``err`` is a failure to write (else None: a bug to show).

    lxml, which openpyxl writes its sheets with, reports a failed write as a
    ``SerialisationError("IO_ENOSPC")`` rather than an ``OSError``.
    """
    if isinstance(err, OSError):
        return _reason(err)
    name = str(err).removeprefix("IO_")
    if type(err).__name__ == "SerialisationError" and hasattr(errno, name):
        return os.strerror(getattr(errno, name))
    return None
