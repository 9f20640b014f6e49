"""Metrics against a hand computation on a small set."""

import pytest

from bot.workbench import metrics
from bot.workbench.evaluation import build_result, write_report

TRUTH = ["saludo", "saludo", "saludo", "negar", "negar", "informar"]
PRED = ["saludo", "saludo", "negar", "negar", "nlu_fallback", "saludo"]
# saludo: tp 2, predicted 3, support 3 -> P 2/3, R 2/3, F1 2/3
# negar: tp 1, predicted 2, support 2 -> P 1/2, R 1/2, F1 1/2
# informar: tp 0, predicted 0, support 1 -> P 0, R 0, F1 0
# accuracy 3/6; macro F1 (2/3 + 1/2 + 0) / 3 = 7/18


def test_per_intent_and_overall_figures_match_the_hand_computation():
    result = metrics.compute(TRUTH, PRED)
    assert result["intents"]["saludo"] == {
        "precision": round(2 / 3, 4),
        "recall": round(2 / 3, 4),
        "f1": round(2 / 3, 4),
        "support": 3,
    }
    assert result["intents"]["negar"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert result["intents"]["informar"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert result["accuracy"] == 0.5
    assert result["macro_f1"] == pytest.approx(7 / 18, abs=1e-4)
    assert "nlu_fallback" not in result["intents"]
    assert result["other_predictions"] == {"nlu_fallback": 1}
    assert {"intent": "negar", "predicted": "nlu_fallback", "count": 1} in result["confusions"]


def test_agrees_with_sklearn():
    from sklearn.metrics import precision_recall_fscore_support

    labels = sorted(set(TRUTH))
    p, r, f, s = precision_recall_fscore_support(TRUTH, PRED, labels=labels, zero_division=0)
    result = metrics.compute(TRUTH, PRED)
    for i, label in enumerate(labels):
        row = result["intents"][label]
        assert (row["precision"], row["recall"], row["f1"], row["support"]) == (
            round(p[i], 4),
            round(r[i], 4),
            round(f[i], 4),
            s[i],
        )


def test_confusion_matrix_counts():
    rows, cols, counts = metrics.confusion_matrix(TRUTH, PRED)
    assert rows == ["informar", "negar", "saludo"] and cols[-1] == "nlu_fallback"
    assert counts[rows.index("saludo")][cols.index("negar")] == 1
    assert sum(map(sum, counts)) == len(TRUTH)


def test_regressions_compare_macro_f1_and_intents_with_support():
    live = {"macro_f1": 0.8, "intents": {"a": {"f1": 0.9, "support": 6}, "b": {"f1": 0.9, "support": 3}}}
    same = {"macro_f1": 0.8, "intents": {"a": {"f1": 0.9, "support": 6}, "b": {"f1": 0.5, "support": 3}}}
    assert metrics.regressions(live, same) == []  # b has too little support to block
    worse = {"macro_f1": 0.85, "intents": {"a": {"f1": 0.8, "support": 6}, "b": {"f1": 1.0, "support": 3}}}
    assert [r.split(":")[0] for r in metrics.regressions(live, worse)] == ["a"]
    assert metrics.regressions(live, {"macro_f1": 0.7, "intents": live["intents"]})[0].startswith("macro F1")


def test_report_files_are_written(tmp_path):
    examples = list(zip(TRUTH, [f"mensaje {i}" for i in range(len(TRUTH))], strict=False))
    result = build_result(examples, [(p, 0.9 if t == p else 0.4) for t, p in zip(TRUTH, PRED, strict=False)])
    files = write_report(result, tmp_path / "out")
    for f in files:
        assert f.exists() and f.stat().st_size > 0
    assert (tmp_path / "out" / "confusion_matrix.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "macro F1 0.389" in (tmp_path / "out" / "report.html").read_text()
