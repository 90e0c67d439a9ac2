"""bscalign: audit the alignment of government strategy maps and balanced scorecards."""

__version__ = "0.1.0"
