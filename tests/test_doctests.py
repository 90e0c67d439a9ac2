"""The runnable examples in the library's docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import bscalign
import bscalign.graph
import bscalign.loaders
import bscalign.queries
import bscalign.views

# Subpackages are listed one by one: they live in their own folders (graph/, loaders/,
# queries/, views/), which a walk of bscalign's own folder does not reach in an editable install.
PACKAGES = (bscalign, bscalign.graph, bscalign.loaders, bscalign.queries, bscalign.views)
MODULES = sorted(
    {
        info.name
        for package in PACKAGES
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
        if not info.name.endswith("__main__")
    }
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
