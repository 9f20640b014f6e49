"""Intent-classification metrics from (true intent, predicted intent) pairs. Pure functions.

Rows are the intents of the test set; a prediction outside them (``nlu_fallback``, an intent the
test set has no example of) counts against the true intent's recall and in ``other_predictions``.
``macro_f1`` is the mean F1 of those rows, ``accuracy`` the share of exact predictions.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List, Optional, Sequence


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def compute(
    truth: Sequence[str], predicted: Sequence[str], confidences: Optional[Sequence[float]] = None
) -> Dict[str, Any]:
    """{"intents": {name: {precision, recall, f1, support}}, "accuracy", "macro_f1", ...}."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predicted must have the same length")
    labels = sorted(set(truth))
    pairs = Counter(zip(truth, predicted, strict=False))
    predicted_count = Counter(predicted)
    support = Counter(truth)
    intents: Dict[str, Dict[str, float]] = {}
    for label in labels:
        tp = pairs[(label, label)]
        precision = _ratio(tp, predicted_count[label])
        recall = _ratio(tp, support[label])
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        intents[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": support[label],
        }
    correct = sum(pairs[(label, label)] for label in labels)
    wrong = sorted(((t, p, n) for (t, p), n in pairs.items() if t != p), key=lambda c: (-c[2], c[0], c[1]))
    confusions = [{"intent": t, "predicted": p, "count": n} for t, p, n in wrong]
    result: Dict[str, Any] = {
        "intents": intents,
        "accuracy": round(_ratio(correct, len(truth)), 4),
        "macro_f1": round(sum(v["f1"] for v in intents.values()) / len(intents), 4) if intents else 0.0,
        "total": len(truth),
        "confusions": confusions,
        "other_predictions": {p: n for p, n in sorted(predicted_count.items()) if p not in support},
    }
    if confidences is not None:
        ok = [c for c, t, p in zip(confidences, truth, predicted, strict=False) if t == p]
        bad = [c for c, t, p in zip(confidences, truth, predicted, strict=False) if t != p]
        result["mean_confidence"] = {
            "correct": round(sum(ok) / len(ok), 4) if ok else None,
            "wrong": round(sum(bad) / len(bad), 4) if bad else None,
        }
    return result


def confusion_matrix(truth: Sequence[str], predicted: Sequence[str]) -> tuple:
    """(row labels, column labels, counts[row][col]); columns add predictions outside the rows."""
    rows = sorted(set(truth))
    cols = rows + sorted(set(predicted) - set(rows))
    index = {label: i for i, label in enumerate(cols)}
    counts: List[List[int]] = [[0] * len(cols) for _ in rows]
    for t, p in zip(truth, predicted, strict=False):
        counts[rows.index(t)][index[p]] += 1
    return rows, cols, counts


def regressions(live: dict, candidate: dict, min_support: int = 5) -> List[str]:
    """Why a candidate is worse than the live model (empty: not worse)."""
    reasons: List[str] = []
    if candidate["macro_f1"] < live["macro_f1"] - 1e-9:
        reasons.append(f"macro F1 {candidate['macro_f1']:.3f} < {live['macro_f1']:.3f} (live)")
    for name, row in sorted(live["intents"].items()):
        cand = candidate["intents"].get(name)
        if row["support"] < min_support:
            continue
        if cand is None:
            reasons.append(f"{name}: not evaluated for the candidate")
        elif cand["f1"] < row["f1"] - 1e-9:
            reasons.append(f"{name}: F1 {cand['f1']:.3f} < {row['f1']:.3f} (live, support {row['support']})")
    return reasons
