"""Storage of the workbench: the review inbox, background jobs, evaluations, activations."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from sqlalchemy import and_, desc, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.workbench import schema as S
from core.clock import utcnow
from textkit.normalize import strip_accents


def _iso(value: Optional[datetime]) -> Optional[str]:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite returns naive datetimes
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat()


def group_key(masked_text: str) -> str:
    """Identical masked texts (ignoring case, accents and spacing) share one inbox item."""
    normal = re.sub(r"\s+", " ", strip_accents(masked_text.lower())).strip()
    return hashlib.sha256(normal.encode()).hexdigest()


def _item_json(row) -> Dict[str, Any]:
    return {
        "id": row.id,
        "text": row.text,
        "predicted_intent": row.predicted_intent,
        "confidence": None if row.confidence is None else round(float(row.confidence), 4),
        "count": row.count,
        "channel": row.channel,
        "conversation_id": row.conversation_id,
        "at": _iso(row.last_at),
        "first_at": _iso(row.first_at),
        "reason": row.reason,
        "ranking": json.loads(row.ranking) if row.ranking else [],
        "flagged_by": row.flagged_by,
        "note": row.note,
        "status": row.status,
        "labelled_intent": row.labelled_intent,
        "labelled_text": row.labelled_text,
    }


def _job_json(row) -> Dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "step": row.step,
        "progress": round(float(row.progress or 0.0), 3),
        "requested_by": row.requested_by,
        "model_path": row.model_path,
        "fingerprint": row.fingerprint,
        "result": json.loads(row.result) if row.result else None,
        "error": row.error,
        "log_path": row.log_path,
        "pid": row.pid,
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
        "finished_at": _iso(row.finished_at),
    }


class WorkbenchStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    # ------------------------------------------------------------------ inbox
    def add_occurrence(
        self,
        text: str,
        reason: str,
        *,
        predicted_intent: Optional[str] = None,
        confidence: Optional[float] = None,
        ranking: Optional[list] = None,
        channel: Optional[str] = None,
        conversation_id: Optional[str] = None,
        at: Optional[datetime] = None,
        flagged_by: Optional[str] = None,
        note: Optional[str] = None,
    ) -> int:
        """Adds one occurrence of an (already masked) text; returns the id of its open item."""
        values: Dict[str, Any] = {"last_at": at or utcnow(), "conversation_id": conversation_id, "channel": channel}
        if reason == S.FLAGGED:
            values.update(reason=S.FLAGGED, flagged_by=flagged_by)
            if note:
                values["note"] = note
        if predicted_intent is not None:
            values.update(
                predicted_intent=predicted_intent,
                confidence=confidence,
                ranking=json.dumps(ranking or [], ensure_ascii=False),
            )
        new = dict(
            values,
            text=text,
            group_key=group_key(text),
            status=S.OPEN,
            reason=reason,
            count=1,
            first_at=values["last_at"],
            flagged_by=flagged_by,
            note=note,
            predicted_intent=predicted_intent,
            confidence=confidence,
            ranking=json.dumps(ranking or [], ensure_ascii=False),
        )
        for attempt in range(3):
            try:
                return self._count_or_open(new["group_key"], values, new)
            except IntegrityError:  # another process opened the same item meanwhile: count on it
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _count_or_open(self, key: str, values: Dict[str, Any], new: Dict[str, Any]) -> int:
        t = S.nlu_inbox
        with self.engine.begin() as conn:
            found = conn.execute(select(t.c.id).where(and_(t.c.status == S.OPEN, t.c.group_key == key))).first()
            if found is not None:
                counted = conn.execute(
                    update(t)
                    .where(and_(t.c.id == found.id, t.c.status == S.OPEN))
                    .values(count=t.c.count + 1, **values)
                )
                if counted.rowcount == 1:
                    return found.id
            return conn.execute(insert(t).values(**new)).inserted_primary_key[0]

    def open_items(self, limit: int = 500) -> List[Dict[str, Any]]:
        t = S.nlu_inbox
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t).where(t.c.status == S.OPEN).order_by(desc(t.c.count), desc(t.c.last_at)).limit(limit)
            ).all()
        return [_item_json(r) for r in rows]

    def item(self, item_id: int) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as conn:
            row = conn.execute(select(S.nlu_inbox).where(S.nlu_inbox.c.id == item_id)).first()
        return _item_json(row) if row else None

    def resolve(
        self, item_id: int, status: str, actor: Optional[str], intent: Optional[str] = None, text: Optional[str] = None
    ) -> bool:
        """Closes an open item (labelled or discarded); False when it was not open."""
        t = S.nlu_inbox
        with self.engine.begin() as conn:
            result = conn.execute(
                update(t)
                .where(and_(t.c.id == item_id, t.c.status == S.OPEN))
                .values(
                    status=status, labelled_intent=intent, labelled_text=text, resolved_by=actor, resolved_at=utcnow()
                )
            )
        return result.rowcount == 1

    # ------------------------------------------------------------------- jobs
    def create_job(self, kind: str, requested_by: Optional[str] = None, **values: Any) -> int:
        now = utcnow()
        with self.engine.begin() as conn:
            return conn.execute(
                insert(S.nlu_jobs).values(
                    kind=kind,
                    status="queued",
                    step="en cola",
                    progress=0.0,
                    requested_by=requested_by,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
            ).inserted_primary_key[0]

    def update_job(self, job_id: int, **values: Any) -> None:
        if "result" in values and not isinstance(values["result"], (str, type(None))):
            values["result"] = json.dumps(values["result"], ensure_ascii=False)
        values["updated_at"] = utcnow()
        if values.get("status") in ("ready", "blocked", "failed", "done"):
            values.setdefault("finished_at", values["updated_at"])
        with self.engine.begin() as conn:
            conn.execute(update(S.nlu_jobs).where(S.nlu_jobs.c.id == job_id).values(**values))

    def job(self, job_id: int) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as conn:
            row = conn.execute(select(S.nlu_jobs).where(S.nlu_jobs.c.id == job_id)).first()
        return _job_json(row) if row else None

    def jobs(self, kind: Optional[str] = None, limit: int = 20) -> List[Dict[str, Any]]:
        t = S.nlu_jobs
        query = select(t).order_by(desc(t.c.id)).limit(limit)
        if kind:
            query = query.where(t.c.kind == kind)
        with self.engine.connect() as conn:
            return [_job_json(r) for r in conn.execute(query).all()]

    # ------------------------------------------------------------ evaluations
    def save_evaluation(self, model_sha: str, model_path: str, test_set_sha: str, result: dict) -> int:
        with self.engine.begin() as conn:
            return conn.execute(
                insert(S.nlu_evaluations).values(
                    model_sha=model_sha,
                    model_path=model_path,
                    test_set_sha=test_set_sha,
                    result=json.dumps(result, ensure_ascii=False),
                    created_at=utcnow(),
                )
            ).inserted_primary_key[0]

    def evaluation(self, model_sha: str, test_set_sha: Optional[str] = None) -> Optional[Dict[str, Any]]:
        t = S.nlu_evaluations
        query = select(t).where(t.c.model_sha == model_sha).order_by(desc(t.c.id)).limit(1)
        if test_set_sha:
            query = query.where(t.c.test_set_sha == test_set_sha)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if not row:
            return None
        return dict(json.loads(row.result), evaluated_at=_iso(row.created_at), model_sha=row.model_sha)

    # ------------------------------------------------------------ activations
    def add_activation(self, **values: Any) -> int:
        values.setdefault("created_at", utcnow())
        with self.engine.begin() as conn:
            return conn.execute(insert(S.nlu_activations).values(**values)).inserted_primary_key[0]

    def last_activation(self) -> Optional[Dict[str, Any]]:
        """The latest activation not rolled back yet (what a rollback undoes)."""
        t = S.nlu_activations
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t).where(and_(t.c.action == "activate", t.c.rolled_back == 0)).order_by(desc(t.c.id)).limit(1)
            ).first()
        return dict(row._mapping) if row else None

    def mark_rolled_back(self, activation_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(S.nlu_activations).where(S.nlu_activations.c.id == activation_id).values(rolled_back=1))
