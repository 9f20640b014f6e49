"""Corpora of realistic customer conversations (tests/e2e/corpus/conversations.yml,
conversations_2.yml, conversations_3.yml and conversations_4.yml; ids unique across them) played against
the real server; each outcome is read from `pqrbot crm pqrs --json` / `pqrbot crm orientaciones --json`.

Every conversation in the YAML file has:

* ``id``, ``description``;
* ``billing`` (optional): extra contracts, in the format of demo/billing.json's "contratos", loaded
  with ``pqrbot crm seed`` before the conversation plays (the demo contracts are always loaded);
* ``turns``: the customer's messages, in order;
* ``expect``: either ``pqr:`` (exactly one PQR filed for the conversation, with the given fields)
  or ``pqrs:`` (a list: that many PQRs, in the order filed, each with the given fields)
  or ``no_pqr:`` (nothing filed; optionally ``orientacion: <regla>`` recorded, or
  ``cancelled: true``); and optionally ``replies_contain:`` (each substring appears in some reply)
  and ``replies_not_contain:`` (no reply contains any of them), and, with ``pqr:`` / ``pqrs:``,
  ``repeats_pqr_numero: true`` (the replies to the last message tell the number of the last PQR
  filed, e.g. when the customer asks for it again after filing).

Fields under ``pqr:`` are dotted paths into the PQR's JSON (``contacto.numero``,
``medio_notificacion.valor``...), compared case- and accent-insensitively. A path ending in
``_contains`` checks a substring (``direccion_contains``, ``medio_notificacion.valor_contains``);
``motivo_contains`` / ``motivo_not_contains`` check substrings of ``motivo_detalle``.

Every reply is also checked for template values left unfilled ("None", "{razon}"): the customer
would read them. A failure shows the whole transcript: what the customer wrote and what the assistant answered.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from pathlib import Path
from typing import Any, List

import pytest
import yaml

pytestmark = pytest.mark.server

CORPORA = [
    Path(__file__).parent / "corpus" / name
    for name in ("conversations.yml", "conversations_2.yml", "conversations_3.yml", "conversations_4.yml")
]
_UNFILLED = re.compile(r"\bNone\b|\{[a-z_]+\}")
REGLAS = {"alcantarillado_no_prestado", "persona_juridica", "sin_consentimiento"}


def _load() -> List[dict]:
    data = [conv for corpus in CORPORA for conv in yaml.safe_load(corpus.read_text(encoding="utf-8"))]
    ids = [c["id"] for c in data]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, f"duplicate conversation ids: {sorted(duplicates)}"
    for conv in data:
        keys = set(conv["expect"])
        assert keys <= {"pqr", "pqrs", "no_pqr", "replies_contain", "replies_not_contain", "repeats_pqr_numero"}, (
            conv["id"],
            keys,
        )
        assert len(keys & {"pqr", "pqrs", "no_pqr"}) == 1, f"{conv['id']}: expect one of pqr, pqrs or no_pqr"
        assert all(isinstance(t, str) for t in conv["turns"]), f"{conv['id']}: every turn must be a string"
    return data


CONVERSATIONS = _load()


def fold(value: Any) -> str:
    """Lower case, no accents, single spaces: how the corpus compares texts."""
    text = unicodedata.normalize("NFD", str(value)).lower()
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.split())


def transcript(turns: List[str], replies: List[List[str]]) -> str:
    lines = []
    for i, (line, answer) in enumerate(zip(turns, replies, strict=False), 1):
        lines.append(f"  [{i}] CLIENTE: {line}")
        if not answer:
            lines.append("      BOT: (sin respuesta)")
        for text in answer:
            indented = text.replace("\n", "\n           ")
            lines.append(f"      BOT: {indented}")
    return "\n".join(lines)


def _path(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return KeyError(dotted)
        obj = obj[part]
    return obj


def check_pqr(pqr: dict, expected: dict) -> List[str]:
    """The differences between the PQR filed and what the conversation should have produced."""
    problems = []
    for key, want in (expected or {}).items():
        if key == "motivo_contains":
            for piece in want:
                if fold(piece) not in fold(pqr["motivo_detalle"]):
                    problems.append(f"motivo_detalle should mention {piece!r}: {pqr['motivo_detalle']!r}")
        elif key == "motivo_not_contains":
            for piece in want:
                if fold(piece) in fold(pqr["motivo_detalle"]):
                    problems.append(f"motivo_detalle should not mention {piece!r}: {pqr['motivo_detalle']!r}")
        elif key.endswith("_contains"):
            got = _path(pqr, key[: -len("_contains")])
            if isinstance(got, KeyError) or got is None or fold(want) not in fold(got):
                problems.append(f"{key[: -len('_contains')]} should contain {want!r}, got {got!r}")
        else:
            got = _path(pqr, key)
            if isinstance(got, KeyError):
                problems.append(f"{key} missing from the PQR")
            elif want is None or got is None:
                if want != got:
                    problems.append(f"{key} should be {want!r}, got {got!r}")
            elif fold(got) != fold(want):
                problems.append(f"{key} should be {want!r}, got {got!r}")
    return problems


def _seed(server, tmp_path: Path, contratos: List[dict]) -> None:
    path = tmp_path / "billing.json"
    path.write_text(json.dumps({"contratos": contratos}, ensure_ascii=False), encoding="utf-8")
    out = server.cli("crm", "seed", str(path))
    assert out.returncode == 0, f"seeding the conversation's billing failed:\n{out.stdout}\n{out.stderr}"


def _orientaciones_of(server, sender: str) -> List[dict]:
    out = server.cli("crm", "orientaciones", "--json")
    assert out.returncode == 0, out.stderr
    return [o for o in json.loads(out.stdout) if o["conversation_id"] == sender]


@pytest.mark.parametrize("conv", CONVERSATIONS, ids=[c["id"] for c in CONVERSATIONS])
def test_conversation(server, tmp_path, conv):
    if conv.get("billing"):
        _seed(server, tmp_path, conv["billing"])
    sender = f"corpus-{conv['id']}-{uuid.uuid4().hex[:6]}"
    turns = [str(t) for t in conv["turns"]]
    replies = [server.say(sender, line) for line in turns]
    expect = conv["expect"]
    all_replies = [text for answer in replies for text in answer]
    pqrs = server.pqrs_of(sender)
    orientaciones = _orientaciones_of(server, sender)

    problems: List[str] = []
    for text in all_replies:
        if _UNFILLED.search(text):  # a template rendered without its value, shown to the customer
            problems.append(f"a reply shows an unfilled value: {text!r}")
    for piece in expect.get("replies_contain") or []:
        if not any(fold(piece) in fold(text) for text in all_replies):
            problems.append(f"no reply contains {piece!r}")
    for piece in expect.get("replies_not_contain") or []:
        for text in all_replies:
            if fold(piece) in fold(text):
                problems.append(f"a reply should not contain {piece!r}: {text!r}")

    if "pqr" in expect or "pqrs" in expect:
        wanted = expect["pqrs"] if "pqrs" in expect else [expect["pqr"]]
        if len(pqrs) != len(wanted):
            problems.append(
                ("expected exactly one PQR" if len(wanted) == 1 else f"expected {len(wanted)} PQRs")
                + f", got {len(pqrs)}"
                + (
                    f" (orientaciones: {[o['regla'] + ': ' + o['razon'] for o in orientaciones]})"
                    if orientaciones
                    else ""
                )
            )
        else:
            for n, (pqr, want) in enumerate(zip(sorted(pqrs, key=lambda p: p["creado_en"]), wanted, strict=False), 1):
                tag = f"PQR {n}: " if len(wanted) > 1 else ""
                problems += [tag + p for p in check_pqr(pqr, want)]
                if pqr["canal"] != "Chat EPM":
                    problems.append(f"{tag}canal should be 'Chat EPM', got {pqr['canal']!r}")
                if not any(pqr["numero"] in text for text in all_replies):
                    problems.append(f"{tag}the customer was never told the PQR number {pqr['numero']}")
            if expect.get("repeats_pqr_numero"):
                last = max(pqrs, key=lambda p: p["creado_en"])["numero"]
                if not any(last in text for text in replies[-1]):
                    problems.append(f"the replies to the last message should tell the PQR number {last} again")
            if orientaciones:
                problems.append(f"a filed PQR should not also record orientaciones: {orientaciones}")
    else:
        no_pqr = expect.get("no_pqr") or {}
        if pqrs:
            problems.append(
                "expected no PQR, got: "
                + "; ".join(f"{p['numero']} contrato={p['contrato']} motivo={p['motivo_detalle']!r}" for p in pqrs)
            )
        regla = no_pqr.get("orientacion")
        if regla:
            assert regla in REGLAS, f"unknown regla {regla!r} in the corpus"
            got = [o["regla"] for o in orientaciones]
            if got != [regla]:
                problems.append(
                    f"expected orientación {regla!r}, got {[(o['regla'], o['razon']) for o in orientaciones]}"
                )
        if no_pqr.get("cancelled"):
            if not any("cancelé tu solicitud" in text for text in all_replies):
                problems.append("the customer was never told the request was cancelled")
            if orientaciones:
                problems.append(f"a cancellation should not record orientaciones: {orientaciones}")

    if problems:
        summary = "\n".join(f"  - {p}" for p in problems)
        filed = (
            "\n".join(json.dumps({k: v for k, v in p.items() if k != "evidencias"}, ensure_ascii=False) for p in pqrs)
            or "  (none)"
        )
        pytest.fail(
            f"conversation {conv['id']!r}: {conv.get('description', '').strip()}\n"
            f"sender: {sender}\nproblems:\n{summary}\n"
            f"transcript:\n{transcript(turns, replies)}\n"
            f"PQRs filed:\n{filed}",
            pytrace=False,
        )
