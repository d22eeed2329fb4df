"""tools.evaluation.rasa_cv: the markdown table of Rasa's intent cross-validation report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.evaluation.rasa_cv import confusions, main, render

# the shape rasa test nlu --cross-validation writes (scikit-learn's report + confused_with)
REPORT = {
    "greet": {
        "precision": 1.0,
        "recall": 0.9,
        "f1-score": 0.947368,
        "support": 10,
        "confused_with": {"thank": 1},
    },
    "thank": {
        "precision": 0.8,
        "recall": 1.0,
        "f1-score": 0.888889,
        "support": 4,
        "confused_with": {},
    },
    "ask_faq": {
        "precision": 1.0,
        "recall": 0.5,
        "f1-score": 0.666667,
        "support": 2,
        "confused_with": {"greet": 1},
    },
    "accuracy": 0.875,
    "macro avg": {"precision": 0.933, "recall": 0.8, "f1-score": 0.834, "support": 16},
    "weighted avg": {"precision": 0.95, "recall": 0.875, "f1-score": 0.9, "support": 16},
}
ERRORS = [
    {"text": "chào", "intent": "greet", "intent_prediction": {"name": "thank", "confidence": 0.6}},
    {"text": "ok", "intent": "ask_faq", "intent_prediction": {"name": "greet", "confidence": 0.5}},
    {"text": "hi", "intent": "greet", "intent_prediction": {"name": "thank", "confidence": 0.4}},
]


def test_table_orders_intents_by_f1_and_adds_averages_and_accuracy() -> None:
    table = render(
        REPORT, run={"folds": 3, "epochs": 80, "wall_seconds": 600, "date": "2026-11-30"}
    )
    lines = table.splitlines()
    assert lines[0] == "3 folds, 80 DIET epochs, 600 s wall, 2026-11-30"
    rows = [line for line in lines if line.startswith("| ") and "|---" not in line]
    assert rows[1:4] == [
        "| ask_faq | 1.000 | 0.500 | 0.667 | 2 |",
        "| thank | 0.800 | 1.000 | 0.889 | 4 |",
        "| greet | 1.000 | 0.900 | 0.947 | 10 |",
    ]
    assert "| *macro avg* | 0.933 | 0.800 | 0.834 | 16 |" in lines
    assert "| *weighted avg* | 0.950 | 0.875 | 0.900 | 16 |" in lines
    assert "| **accuracy** | | | 0.875 | 16 |" in lines
    # without errors the pairs come from confused_with
    assert "| greet → thank | 1 |" in lines
    assert "| ask_faq → greet | 1 |" in lines


def test_confusions_count_every_error_when_the_errors_file_is_there() -> None:
    assert confusions(REPORT, ERRORS).most_common() == [
        ("greet → thank", 2),
        ("ask_faq → greet", 1),
    ]
    assert confusions(REPORT, []).most_common() == []
    assert "| none | 0 |" in render(REPORT, [])


def test_main_reads_the_out_folder_and_writes_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "intent_report.json").write_text(json.dumps(REPORT), encoding="utf-8")
    (tmp_path / "intent_errors.json").write_text(json.dumps(ERRORS), encoding="utf-8")
    out = tmp_path / "intents.md"
    assert main([str(tmp_path), "--write", str(out), "--top", "1"]) == 0
    printed = capsys.readouterr().out
    assert printed == out.read_text(encoding="utf-8")
    assert printed.rstrip().endswith("| greet → thank | 2 |")
    assert main([str(tmp_path / "missing")]) == 2
