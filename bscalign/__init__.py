"""bscalign: audit the alignment of government strategy maps and balanced scorecards."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from importlib.machinery import ModuleSpec
from pathlib import Path

__version__ = "0.1.0"


class _CheckoutFolders:
    """Finds the subpackages mapped to other folders of a checkout, as the installation does."""

    def __init__(self, folders: dict[str, Path]) -> None:
        self.folders = folders

    def find_spec(self, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        folder = self.folders.get(name)
        if folder is None:
            return None
        return importlib.util.spec_from_file_location(
            name, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )


def _checkout_folders() -> dict[str, Path]:
    """The subpackages pyproject's package-dir maps to top-level folders of the checkout this
    folder is in (none for an installed copy, whose subpackages are folders of this one)."""
    checkout = Path(__file__).resolve().parent.parent
    pyproject = checkout / "pyproject.toml"
    if not pyproject.is_file():
        return {}
    mapping = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    package_dir = mapping.get("tool", {}).get("setuptools", {}).get("package-dir", {})
    if package_dir.get(__name__) != Path(__file__).parent.name:
        return {}
    return {
        name: checkout / folder
        for name, folder in package_dir.items()
        if name.startswith(f"{__name__}.")
    }


# Python started in the repository root imports this folder, not the installed package (the
# current directory comes first on sys.path), and would not find graph/, loaders/, queries/ and
# views/, which are top-level folders. The finder goes last, after an editable install's own.
if _folders := _checkout_folders():
    sys.meta_path.append(_CheckoutFolders(_folders))
