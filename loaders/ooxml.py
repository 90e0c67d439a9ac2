"""Office Open XML packages (.xlsx workbooks, .pptx decks): ZIP archives holding one folder
per application (``xl/``, ``ppt/``)."""

from __future__ import annotations

import zipfile
from pathlib import Path

#: The first bytes of every ZIP archive.
ZIP_MAGIC = b"PK\x03\x04"


def package_holds(path: Path, folder: str) -> bool:
    """Tell whether ``path`` is a ZIP archive with something inside ``folder``.

    Opens the file: one that cannot be read raises :class:`OSError`.

    >>> import tempfile, zipfile
    >>> deck = Path(tempfile.mkdtemp()) / "deck.pptx"
    >>> with zipfile.ZipFile(deck, "w") as archive:
    ...     archive.writestr("ppt/presentation.xml", "<p/>")
    >>> package_holds(deck, "ppt/"), package_holds(deck, "xl/")
    (True, False)
    """
    with path.open("rb") as stream:
        if stream.read(4) != ZIP_MAGIC:
            return False
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.startswith(folder) for name in archive.namelist())
    except zipfile.BadZipFile:
        return False
