"""The parsers moved to ``textkit.parsing`` (a package with no dependency on pqrbot); this name
stays for modules not yet switched (``actions/filing.py`` imports ``format_pesos`` from here)."""

from textkit.parsing import format_pesos

__all__ = ["format_pesos"]
