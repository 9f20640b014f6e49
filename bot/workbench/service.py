"""The trainers' operations on the inbox and the intents, shared by the API and the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.workbench import dataset, schema
from bot.workbench.context import Workbench
from bot.workbench.dataset import LabelError


def inbox(wb: Workbench, limit: int = 500) -> List[Dict[str, Any]]:
    return wb.store.open_items(limit)


def _open_item(wb: Workbench, item_id: int) -> Dict[str, Any]:
    item = wb.store.item(item_id)
    if item is None:
        raise LabelError(f"no inbox item {item_id}", 404)
    if item["status"] != schema.OPEN:
        raise LabelError(f"inbox item {item_id} was already {item['status']}", 409)
    return item


def label(
    wb: Workbench,
    item_id: int,
    intent: str,
    text: Optional[str] = None,
    create_intent: bool = False,
    actor: Optional[str] = None,
) -> Dict[str, Any]:
    """Writes the item (or its corrected ``text``) as an example of ``intent``; the item leaves the inbox."""
    item = _open_item(wb, item_id)
    result = dataset.add_example(wb.root, text if text is not None else item["text"], intent, create_intent)
    if not wb.store.resolve(item_id, schema.LABELLED, actor, intent=result.intent, text=result.text):
        raise LabelError(f"inbox item {item_id} was resolved meanwhile", 409)
    if result.written and wb.validate_after_label:
        from bot.workbench import validation

        validation.start(wb.root, wb.work_dir, wb.python)
    wb.audit(
        actor or "",
        "nlu.label",
        f"nlu_inbox:{item_id}",
        {"intent": result.intent, "text": result.text, "new_intent": result.new_intent, "written": result.written},
    )
    return {
        "id": item_id,
        "status": schema.LABELLED,
        "intent": result.intent,
        "text": result.text,
        "written": result.written,
        "new_intent": result.new_intent,
        "file": result.path,
    }


def discard(wb: Workbench, item_id: int, actor: Optional[str] = None) -> Dict[str, Any]:
    _open_item(wb, item_id)
    if not wb.store.resolve(item_id, schema.DISCARDED, actor):
        raise LabelError(f"inbox item {item_id} was resolved meanwhile", 409)
    wb.audit(actor or "", "nlu.discard", f"nlu_inbox:{item_id}", None)
    return {"id": item_id, "status": schema.DISCARDED}


def live_model(wb: Workbench) -> Path:
    return wb.root / "models" / "pqrbot.tar.gz"


def live_evaluation(wb: Workbench) -> Optional[Dict[str, Any]]:
    """The latest evaluation of the model now live, on the current test set (None if never run)."""
    from bot.workbench.evaluation import TEST_SET, file_sha

    model = live_model(wb)
    if not model.exists() or not (wb.root / TEST_SET).exists():
        return None
    return wb.store.evaluation(file_sha(model), file_sha(wb.root / TEST_SET))


def intents_overview(wb: Workbench) -> Dict[str, Any]:
    """Per intent: training examples (reviewed ones apart), test support, what it is confused with."""
    counts = dataset.example_counts(wb.root)
    reviewed_path = wb.root / dataset.REVIEWED
    reviewed: Dict[str, int] = {}
    if reviewed_path.exists():
        for intent, _ in dataset.read_examples(reviewed_path):
            reviewed[intent] = reviewed.get(intent, 0) + 1
    evaluation = live_evaluation(wb)
    rows = []
    for name in dataset.domain_intents(wb.root):
        row: Dict[str, Any] = {
            "name": name,
            "examples": counts.get(name, 0),
            "reviewed": reviewed.get(name, 0),
            "confused_with": dataset.confusions(evaluation, name),
        }
        if evaluation and name in evaluation["intents"]:
            row["f1"] = evaluation["intents"][name]["f1"]
            row["support"] = evaluation["intents"][name]["support"]
        rows.append(row)
    from bot.workbench import validation

    return {
        "intents": rows,
        "validation": validation.last(wb.root, wb.work_dir),
        "evaluation": None
        if evaluation is None
        else {k: evaluation.get(k) for k in ("accuracy", "macro_f1", "total", "evaluated_at", "model_sha")},
    }


def conversation(wb: Workbench, conversation_id: str) -> Dict[str, Any]:
    """The customer's and the assistant's messages of a conversation, masked (the inbox's link).

    Read from the conversation events the console keeps (``bot.events``); trainers do not get the
    agents' view of a conversation, and need no personal data to judge what was misunderstood."""
    from bot.events.store import EventStore
    from bot.workbench.masking import mask_text

    events = EventStore(wb.store.engine).for_conversation(conversation_id, kinds=["user", "bot"])
    if not events:
        raise LabelError(f"no conversation {conversation_id!r}", 404)
    return {
        "conversation_id": conversation_id,
        "messages": [
            {
                "from": "customer" if e.kind == "user" else "bot",
                "text": mask_text(e.text or ""),
                "intent": e.intent,
                "confidence": e.confidence,
                "at": e.at.isoformat() if e.at else None,
            }
            for e in events
        ],
    }
