"""``pqrbot crm evidencias NUMERO --out DIR``: write a PQR's evidence files.

The chat image(s) (``conversacion.png``), the text transcript, the confirmation the customer was
given, and ``medios.txt`` with the references (URL, type) of the media the customer sent.
"""

from __future__ import annotations

import argparse
import base64
import re
import sys
from pathlib import Path

from crm_adapter.models import PQR, Evidencia


def register(subparsers) -> None:  # nothing at the top level
    return None


def register_crm(crm) -> None:
    parser = crm.add_parser("evidencias", help="write a PQR's evidence files (chat image, transcript, media)")
    parser.add_argument("numero", help="PQR number, e.g. PQR-0000012")
    parser.add_argument("--out", required=True, help="directory to write to (created if missing)")
    parser.set_defaults(func=cmd_evidencias)


def _safe_name(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name or "evidencia").name).strip("._") or "evidencia"
    return name


def write_evidencias(pqr: PQR, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    references: list[Evidencia] = []
    used: set[str] = set()
    for evidencia in pqr.evidencias:
        if evidencia.contenido is None:
            references.append(evidencia)
            continue
        name = _safe_name(evidencia.nombre)
        if name in used:
            name = f"{len(used) + 1}-{name}"
        used.add(name)
        path = out / name
        if (evidencia.content_type or "text/plain").startswith("text/"):
            path.write_text(evidencia.contenido, encoding="utf-8")
        else:  # binary evidence is stored base64-encoded
            path.write_bytes(base64.b64decode(evidencia.contenido))
        written.append(path)
    if references:
        path = out / "medios.txt"
        path.write_text(
            "".join(f"{e.nombre}\t{e.content_type or '-'}\t{e.url or '-'}\n" for e in references), encoding="utf-8"
        )
        written.append(path)
    return written


def cmd_evidencias(args: argparse.Namespace) -> int:
    from bot import bootstrap

    pqr = bootstrap.services().store.get_pqr(args.numero)
    if pqr is None:
        print(f"pqrbot: no PQR with number {args.numero!r}", file=sys.stderr)
        return 2
    for path in write_evidencias(pqr, Path(args.out)):
        print(path)
    return 0
