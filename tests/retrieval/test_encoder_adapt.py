"""`bin/assistant encoder adapt` end to end on a few dozen FAQ pairs (one short epoch), the
refusal of a model that validates worse than its base, and the switch through settings + reindex.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval.encoder import load_encoder
from retrieval.errors import EncoderError
from retrieval.models import ADAPT_MANIFEST
from settings.defaults import REPO_ROOT
from settings.services import PathSettings, RetrievalSettings
from tests.retrieval.faq_samples import write_corpus
from tools.encoder_adapt import _time_budget_callback, load_pairs


def _run(*args: str, model: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1"}
    if model:
        env["ASSISTANT_EMBEDDING_MODEL"] = model
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _variant(adapted: Path, folder: Path, **metrics: dict[str, float]) -> Path:
    """The adapted weights (linked, not copied) under another manifest."""
    folder.mkdir()
    for item in adapted.iterdir():
        if item.name != ADAPT_MANIFEST:
            (folder / item.name).symlink_to(item)
    manifest = json.loads((adapted / ADAPT_MANIFEST).read_text(encoding="utf-8"))
    manifest.update(metrics)
    (folder / ADAPT_MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def adapted(tmp_path_factory: pytest.TempPathFactory, converted_model_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("adapt") / "adapted"
    result = _run(
        "tools.encoder_commands",
        "adapt",
        "--from-faq",
        "--limit",
        "40",
        "--epochs",
        "1",
        "--batch-size",
        "8",
        "--max-seq-length",
        "64",
        "--max-steps",
        "3",
        "--max-minutes",
        "30",
        "--out",
        str(out),
    )
    assert result.returncode in (0, 1), result.stderr[-3000:]
    manifest = json.loads((out / ADAPT_MANIFEST).read_text(encoding="utf-8"))
    # exit status 1 exactly when the adapted model validates worse than the base
    assert (result.returncode == 1) == bool(manifest["refused"]), result.stderr[-2000:]
    return out


def test_adapt_writes_a_model_with_its_manifest(adapted: Path, converted_model_dir: Path) -> None:
    manifest = json.loads((adapted / ADAPT_MANIFEST).read_text(encoding="utf-8"))
    assert manifest["base_model"].startswith(converted_model_dir.name)
    assert len(manifest["data_sha256"]) == 64
    assert manifest["pairs"]["train"] + manifest["pairs"]["validation"] == 40
    assert manifest["pairs"]["validation"] >= 1
    for key in ("metrics_before", "metrics_after"):
        assert set(manifest[key]) == {"hit@1", "hit@5", "mrr@10"}
    assert manifest["training"]["loss"].startswith("MultipleNegativesRankingLoss")
    # 32 pairs at batch 8 is 4 steps an epoch: --max-steps ends it after 3; time was ample
    assert manifest["training"]["steps"] == 3
    assert manifest["training"]["stopped_by_time"] is False
    assert (adapted / "model.safetensors").is_file()
    assert (adapted / "modules.json").is_file()
    assert not list(adapted.parent.glob(".tmp-*"))  # written aside, then renamed


@pytest.mark.parametrize(("seconds_left", "stops"), [(-1.0, True), (3600.0, False)])
def test_the_time_budget_stops_training_at_its_deadline(seconds_left: float, stops: bool) -> None:
    from transformers import TrainerControl, TrainerState, TrainingArguments

    budget = _time_budget_callback(time.monotonic() + seconds_left)
    control = TrainerControl()
    args = TrainingArguments(output_dir="unused", use_cpu=True, report_to="none")
    budget.on_step_end(args, TrainerState(), control)
    assert control.should_training_stop is stops
    assert budget.stopped is stops


def test_a_model_worse_than_its_base_is_refused(
    adapted: Path, tmp_path: Path, retrieval_settings: RetrievalSettings, paths: PathSettings
) -> None:
    worse = _variant(
        adapted,
        tmp_path / "worse",
        metrics_before={"hit@1": 0.9, "hit@5": 1.0, "mrr@10": 0.95},
        metrics_after={"hit@1": 0.8, "hit@5": 1.0, "mrr@10": 0.9},
    )
    settings = retrieval_settings.model_copy(update={"embedding_model": str(worse)})
    with pytest.raises(EncoderError, match=r"refusing the adapted model.*hit@1 0\.8 < 0\.9"):
        load_encoder(settings, models_dir=paths.models_dir)
    faq, index_dir = write_corpus(tmp_path / "faq"), tmp_path / "index"
    result = _run(
        "tools.build_index", "--faq-dir", str(faq), "--index-dir", str(index_dir), model=str(worse)
    )
    assert result.returncode == 1
    assert "refusing the adapted model" in result.stderr
    assert not (index_dir / "current").exists()


def test_switching_is_settings_plus_reindex_keeping_the_previous_index(
    adapted: Path, tmp_path: Path, converted_model_dir: Path
) -> None:
    manifest = json.loads((adapted / ADAPT_MANIFEST).read_text(encoding="utf-8"))
    good = _variant(adapted, tmp_path / "good", metrics_after=manifest["metrics_before"])
    faq, index_dir = write_corpus(tmp_path / "faq"), tmp_path / "index"
    base = _run("tools.build_index", "--faq-dir", str(faq), "--index-dir", str(index_dir))
    assert base.returncode == 0, base.stderr[-2000:]
    first = (index_dir / "current").resolve()
    switched = _run(
        "tools.build_index", "--faq-dir", str(faq), "--index-dir", str(index_dir), model=str(good)
    )
    assert switched.returncode == 0, switched.stderr[-2000:]
    second = (index_dir / "current").resolve()
    assert second != first
    assert first.is_dir()  # the previous version stays for a rollback
    built = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
    assert built["model_id"].startswith("local:good")
    before = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    assert before["model_id"].startswith(converted_model_dir.name)


def test_pairs_with_an_empty_question_are_left_out(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(
        'id|Question|Answer_1\n1|Tiêm ở đâu?|"Tại trạm y tế xã, phường."\n2||Chỉ có câu trả lời.\n',
        encoding="utf-8",
    )
    assert load_pairs(path) == [("Tiêm ở đâu?", "Tại trạm y tế xã, phường.")]
