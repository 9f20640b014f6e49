"""The training data a trainer adds to: ``nlu/data/reviewed.yml`` and the intents of ``domain.yml``.

``reviewed.yml`` is plain Rasa 3 NLU YAML written by this module only: intents in alphabetical
order, examples sorted, one per line, so that each label is a one-line diff. An example is never
written twice, nor when any training file already has it (compared without case, accents or
extra spacing), nor when it is in the held-out test set (``tests/nlu/``), which must stay unseen.
No Rasa import here (the console loads this module); ``validate_with_rasa`` imports it lazily.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import yaml

from textkit.normalize import strip_accents

REVIEWED = Path("nlu/data/reviewed.yml")
NLU_DATA = Path("nlu/data")
TEST_DIR = Path("tests/nlu")
DOMAIN = Path("domain.yml")
HEADER = (
    "# Examples labelled by the bot trainers in the workbench (console /entrenamiento/, `pqrbot nlu`).\n"
    "# Written by bot/workbench/dataset.py: sorted, one example per line; edits by hand are kept.\n"
)
INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")


class LabelError(Exception):
    """A label that cannot be written; ``status`` is the HTTP status the API answers with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def normal(text: str) -> str:
    """The comparison key of an example: no case, accents, extra spaces or edge punctuation."""
    text = _ANNOTATION.sub(r"\1", text or "")
    text = re.sub(r"\s+", " ", strip_accents(text.lower())).strip()
    return text.strip(" .,;:!?¡¿")


def read_examples(path: Path) -> List[Tuple[str, str]]:
    """(intent, example text) pairs of one Rasa NLU YAML file (annotations removed)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs: List[Tuple[str, str]] = []
    for block in data.get("nlu") or []:
        if not isinstance(block, dict) or "intent" not in block:
            continue
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((str(block["intent"]), _ANNOTATION.sub(r"\1", line[2:].strip())))
    return pairs


def training_examples(root: Path) -> List[Tuple[str, str]]:
    pairs: List[Tuple[str, str]] = []
    for path in sorted((root / NLU_DATA).rglob("*.yml")):
        pairs += read_examples(path)
    return pairs


def test_examples(root: Path) -> List[Tuple[str, str]]:
    pairs: List[Tuple[str, str]] = []
    for path in sorted((root / TEST_DIR).glob("*.yml")):
        pairs += read_examples(path)
    return pairs


def domain_intents(root: Path) -> List[str]:
    domain = yaml.safe_load((root / DOMAIN).read_text(encoding="utf-8")) or {}
    out = []
    for entry in domain.get("intents") or []:
        out.append(next(iter(entry)) if isinstance(entry, dict) else str(entry))
    return out


def example_counts(root: Path) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for intent, _ in training_examples(root):
        counts[intent] = counts.get(intent, 0) + 1
    return counts


def render(examples: Dict[str, List[str]]) -> str:
    """The text of reviewed.yml for these examples (sorted, stable)."""
    lines = [HEADER, 'version: "3.1"\n', "nlu:\n" if examples else "nlu: []\n"]
    for intent in sorted(examples):
        unique: Dict[str, str] = {}
        for text in examples[intent]:
            unique.setdefault(normal(text), text)
        if not unique:
            continue
        lines.append(f"- intent: {intent}\n  examples: |\n")
        lines += [f"    - {unique[key]}\n" for key in sorted(unique)]
    return "".join(lines)


def check_structure(content: str, expected: Dict[str, List[str]]) -> None:
    """The rendered file reads back as the same examples (plain YAML, Rasa's shape)."""
    data = yaml.safe_load(content)
    if not isinstance(data, dict) or data.get("version") != "3.1" or not isinstance(data.get("nlu"), list):
        raise LabelError("reviewed.yml would not be Rasa 3.1 NLU data", 500)
    got: Dict[str, set] = {}
    for block in data["nlu"]:
        text = block.get("examples")
        if not isinstance(block.get("intent"), str) or not isinstance(text, str):
            raise LabelError("reviewed.yml would have a malformed intent block", 500)
        got[block["intent"]] = {ln.strip()[2:] for ln in text.splitlines() if ln.strip().startswith("- ")}
    want = {i: {t for t in ts} for i, ts in expected.items() if ts}
    if {i: {normal(t) for t in ts} for i, ts in got.items()} != {i: {normal(t) for t in ts} for i, ts in want.items()}:
        raise LabelError("reviewed.yml would not read back as written", 500)


def clean_example(text: str) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        raise LabelError("the example text is empty")
    if len(text) > 500:
        raise LabelError("the example text is too long (500 characters at most)")
    if _ANNOTATION.search(text):
        raise LabelError("the example text has Rasa entity markup ([...](...)): remove the brackets")
    if text.startswith(("/", "#")):
        raise LabelError("an example cannot start with '/' or '#'")
    return text


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One writer at a time (console, CLI) per project: a lock on the nlu/data folder itself."""
    folder = root / NLU_DATA
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _write_atomic(path: Path, content: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix=".tmp-", suffix=".yml")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
    os.replace(tmp, path)


def declare_intent(root: Path, intent: str) -> bool:
    """Adds ``intent`` to the ``intents:`` list of domain.yml (one line); False if already there."""
    if intent in domain_intents(root):
        return False
    path = root / DOMAIN
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if re.match(r"^intents:\s*$", ln)), None)
    if start is None:
        raise LabelError("domain.yml has no block 'intents:' to declare a new intent in", 500)
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
        end += 1
    last = max((i for i in range(start + 1, end) if lines[i].strip().startswith("- ")), default=start)
    indent = lines[last][: len(lines[last]) - len(lines[last].lstrip())] if last > start else "  "
    lines.insert(last + 1, f"{indent}- {intent}\n")
    _write_atomic(path, "".join(lines))
    return True


@dataclass
class LabelResult:
    intent: str
    text: str
    written: bool  # False when the same example was already under this intent
    new_intent: bool
    path: str


def add_example(root: Path, text: str, intent: str, create_intent: bool = False) -> LabelResult:
    """Writes one labelled example into reviewed.yml (see the module docstring for the rules)."""
    text = clean_example(text)
    intent = (intent or "").strip()
    if not INTENT_NAME.match(intent):
        raise LabelError("an intent name is lower case letters, digits and '_' (e.g. reclamo_factura)")
    if intent == "nlu_fallback":
        raise LabelError("nlu_fallback is not a label: discard the message instead")
    with _locked(root):
        known = domain_intents(root)
        if intent not in known and not create_intent:
            raise LabelError(
                f'unknown intent {intent!r}: pick one of the domain or ask to create it ("create_intent": true)', 400
            )
        key = normal(text)
        for _intent, example in test_examples(root):
            if normal(example) == key:
                raise LabelError(
                    "this text is in the held-out test set (tests/nlu/): it must stay out of "
                    "the training data; correct it or discard it",
                    409,
                )
        for other, example in training_examples(root):
            if normal(example) == key:
                if other == intent:
                    return LabelResult(intent, example, False, False, str(REVIEWED))
                raise LabelError(f"this text is already a training example of {other!r}", 409)
        new_intent = declare_intent(root, intent) if intent not in known else False
        path = root / REVIEWED
        current: Dict[str, List[str]] = {}
        if path.exists():
            for owner, example in read_examples(path):
                current.setdefault(owner, []).append(example)
        current.setdefault(intent, []).append(text)
        content = render(current)
        check_structure(content, current)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, content)
    return LabelResult(intent, text, True, new_intent, str(REVIEWED))


def validate_with_rasa(root: Path) -> Dict[str, Any]:
    """Rasa's own reader on the training data and the domain: {"ok", "problems", "examples"}."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.nlu.training_data.loading import load_data

    problems: List[str] = []
    domain = Domain.load(str(root / DOMAIN))
    count = 0
    for path in sorted((root / NLU_DATA).rglob("*.yml")):
        try:
            data = load_data(str(path))
        except Exception as exc:  # Rasa raises many kinds for unreadable data
            problems.append(f"{path.relative_to(root)}: {exc}")
            continue
        count += len(data.intent_examples)
        mine = read_examples(path)
        if len(data.intent_examples) != len(mine):
            problems.append(
                f"{path.relative_to(root)}: Rasa read {len(data.intent_examples)} examples, the file has {len(mine)}"
            )
        for intent in sorted(data.intents - set(domain.intents)):
            problems.append(f"{path.relative_to(root)}: intent {intent!r} is not declared in domain.yml")
    seen: Dict[str, str] = {}
    for intent, example in training_examples(root):
        key = normal(example)
        if key in seen and seen[key] != intent:
            problems.append(f"the example {example!r} is under both {seen[key]!r} and {intent!r}")
        seen.setdefault(key, intent)
    return {"ok": not problems, "problems": problems, "examples": count}


def leaks(root: Path) -> List[Tuple[str, str]]:
    """Test-set examples that are also training examples (must be empty)."""
    train = {normal(t) for _, t in training_examples(root)}
    return [(i, t) for i, t in test_examples(root) if normal(t) in train]


def confusions(evaluation: Optional[dict], intent: str, limit: int = 3) -> List[Dict[str, Any]]:
    """The intents ``intent`` was mistaken for in an evaluation (from its confusion pairs)."""
    if not evaluation:
        return []
    pairs = [p for p in evaluation.get("confusions") or [] if p.get("intent") == intent]
    return [{"intent": p["predicted"], "count": p["count"]} for p in pairs[:limit]]
