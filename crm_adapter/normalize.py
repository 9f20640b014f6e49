"""Address keys and accent folding moved to ``textkit.normalize``; this name stays for the data
migration that computed ``direccion_key`` with it (``crm_adapter/migrations_crm.py``)."""

from textkit.normalize import normalize_direccion, strip_accents

__all__ = ["normalize_direccion", "strip_accents"]
