"""bscalign: audit the alignment of government strategy maps and balanced scorecards."""

from pathlib import Path

__version__ = "0.1.0"

# The subpackages graph/, loaders/, queries/ and views/ are top-level folders of the
# repository, mapped into bscalign by pyproject's package-dir. Python started in the
# repository root imports this folder, not the installed package (the current directory
# comes first on sys.path), so from a checkout the subpackages are looked up beside it too.
_CHECKOUT = Path(__file__).resolve().parent.parent
if not Path(__file__).with_name("graph").is_dir() and (_CHECKOUT / "graph").is_dir():
    __path__.append(str(_CHECKOUT))
