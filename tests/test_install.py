"""Installing bscalign: after `pip install .` or `pip install -e .`, the package works from the
repository root too, where the root `bscalign/` folder comes first on sys.path."""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import ROOT

#: Not part of a checkout: local environments, caches, build output, the linter's packages.
LOCAL = shutil.ignore_patterns(
    ".git",
    ".venv",
    "node_modules",
    "__pycache__",
    "*.egg-info",
    "build",
    "dist",
    ".*_cache",
    ".hypothesis",
    "out",
)


def fresh_environment(where: Path) -> Path:
    """A new virtual environment without bscalign, whose Python sees this one's installed
    packages (bscalign's dependencies and setuptools) but not its bscalign.

    A ``.pth`` line adds this environment's site-packages to the new one's path; the ``.pth``
    files there (this environment's editable bscalign) are not run, so nothing is downloaded.
    """
    venv.create(where, with_pip=False)
    python = where / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "outer-packages.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return python


@pytest.mark.parametrize("editable", [False, True], ids=["install", "editable"])
def test_commands_and_subpackages_import_from_the_repository_root(
    tmp_path: Path, editable: bool
) -> None:
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT, checkout, ignore=LOCAL)
    python = fresh_environment(tmp_path / "venv")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    install += ["--no-deps", "--no-build-isolation", "--no-index"]
    installed = subprocess.run(
        [*install, *(["-e"] if editable else []), str(checkout)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr

    for where in (checkout, tmp_path):
        help_text = subprocess.run(
            [python, "-m", "bscalign", "--help"], cwd=where, capture_output=True, text=True
        )
        assert help_text.returncode == 0, help_text.stderr
        assert "Audit the alignment of strategy maps" in help_text.stdout
        imported = subprocess.run(
            [
                python,
                "-c",
                "import bscalign.graph, bscalign.queries.registry as r; print(len(r.RULES))",
            ],
            cwd=where,
            capture_output=True,
            text=True,
        )
        assert imported.returncode == 0, imported.stderr
        assert int(imported.stdout) >= 14
