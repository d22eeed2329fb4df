"""Adapt the encoder to a province's questions, offline, on CPU:
`bin/assistant encoder adapt --pairs FILE | --from-faq [--epochs N] [--out DIR]`.

sentence-transformers' own trainer and MultipleNegativesRankingLoss over (question, answer or FAQ
question) pairs, each with one hard negative mined by the current (base) model from the documents
of all pairs (``--hard-negatives 0``: in-batch negatives only, a third less work per step). A
held-back validation split (or ``--val-pairs``) measures hit@1 / MRR@10 before and
after; the result folder carries ``adapt_manifest.json`` (base model, data hash, metrics). A model
whose validation metrics are worse than the base's is written but refused: the exit status is 1 and
``retrieval.models.locate_model`` will not load it. Switching the bot to an adapted model is the
normal path: ``ASSISTANT_EMBEDDING_MODEL=<folder>`` and ``make index`` (atomic swap, the previous
index version is kept).

``--max-steps N`` ends training after N optimiser steps (the learning-rate schedule spans them);
``--max-minutes M`` bounds the whole command on a small host: a trainer callback stops training
when the time left is what the validation after training will take (as long as the one before),
so the manifest and the metrics are still written.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from retrieval.errors import RetrievalError
from retrieval.models import ADAPT_MANIFEST, adaptation_refusal

__all__ = ["adapt", "load_pairs", "main"]

logger = logging.getLogger(__name__)

_QUESTION_COLUMNS = ("question", "anchor", "query")
_ANSWER_COLUMNS = ("answer", "answer_1", "positive")

Pair = tuple[str, str]


def load_pairs(path: Path) -> list[Pair]:
    """(question, document) pairs of a .jsonl file or a .csv with question/answer columns."""
    pairs: list[Pair] = []
    with path.open(encoding="utf-8", newline="") as fh:
        if path.suffix == ".jsonl":
            rows: Any = (json.loads(line) for line in fh if line.strip())
        else:
            header = fh.readline()
            fh.seek(0)
            # the delimiter is the one of the header line (answers are full of commas)
            delimiter = next((c for c in "|\t;" if c in header), ",")
            rows = csv.DictReader(fh, delimiter=delimiter)
        blank = []
        for n, row in enumerate(rows, 1):
            keys = {str(k).strip().lower(): k for k in row}
            qk = next((keys[c] for c in _QUESTION_COLUMNS if c in keys), None)
            ak = next((keys[c] for c in _ANSWER_COLUMNS if c in keys), None)
            if qk is None or ak is None:
                raise SystemExit(
                    f"{path}: row {n} has no question/answer; columns or keys must be one of "
                    f"{_QUESTION_COLUMNS} and one of {_ANSWER_COLUMNS}"
                )
            q, a = str(row[qk] or "").strip(), str(row[ak] or "").strip()
            if q and a:
                pairs.append((q, a))
            else:  # e.g. one row of UIT-ViCoV19QA's train split has an empty question
                blank.append(n)
    if blank:
        logger.warning(
            "%s: %d row(s) with an empty question or answer left out: %s",
            path,
            len(blank),
            blank[:10],
        )
    return pairs


def faq_pairs(faq_dir: Path) -> list[Pair]:
    """Every other phrasing of an FAQ entry paired with its first question."""
    from retrieval.corpus import load_corpus

    pairs: list[Pair] = []
    for entry in load_corpus(faq_dir).corpus.entries:
        first, *others = entry.questions
        pairs.extend((q, first) for q in others)
    return pairs


def _split(pairs: list[Pair], val_share: float) -> tuple[list[Pair], list[Pair]]:
    """Held-back validation by a hash of the question: stable across runs and data orderings."""
    train: list[Pair] = []
    val: list[Pair] = []
    for q, d in pairs:
        bucket = hashlib.sha1(q.encode()).digest()[0] / 256
        (val if bucket < val_share else train).append((q, d))
    if not val or not train:
        raise SystemExit(f"{len(pairs)} pairs are too few to hold back a validation split")
    return train, val


def _evaluator(val: list[Pair], docs: list[str], prompts: tuple[str, str]) -> Any:
    from sentence_transformers.sentence_transformer.evaluation import (
        InformationRetrievalEvaluator,
    )

    doc_ids = {d: f"d{i}" for i, d in enumerate(docs)}
    queries: dict[str, Any] = {f"q{i}": q for i, (q, _) in enumerate(val)}
    corpus: dict[str, Any] = {i: d for d, i in doc_ids.items()}
    relevant = {f"q{i}": {doc_ids[d]} for i, (_, d) in enumerate(val)}
    return InformationRetrievalEvaluator(
        queries,
        corpus,
        relevant,
        name="val",
        mrr_at_k=[10],
        accuracy_at_k=[1, 5],
        precision_recall_at_k=[1],
        ndcg_at_k=[10],
        map_at_k=[10],
        write_csv=False,
        show_progress_bar=False,
        batch_size=16,
        query_prompt=prompts[0],
        corpus_prompt=prompts[1],
    )


def _metrics(evaluator: Any, model: Any) -> dict[str, float]:
    raw = evaluator(model)
    pick = {"hit@1": "accuracy@1", "hit@5": "accuracy@5", "mrr@10": "mrr@10"}
    return {
        name: round(float(next(v for k, v in raw.items() if k.endswith(suffix))), 4)
        for name, suffix in pick.items()
    }


def _time_budget_callback(deadline: float) -> Any:
    """A TrainerCallback that stops training at ``deadline`` (``time.monotonic()``)."""
    from transformers import TrainerCallback

    class TimeBudget(TrainerCallback):
        stopped = False

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            if time.monotonic() >= deadline:
                self.stopped = control.should_training_stop = True
            return control

    return TimeBudget()


def adapt(
    pairs: list[Pair],
    *,
    base: str,
    base_id: str,
    out: Path,
    val_pairs: list[Pair] | None = None,
    epochs: int = 1,
    batch_size: int = 16,
    max_seq_length: int = 256,
    learning_rate: float = 2e-5,
    query_prompt: str = "query: ",
    doc_prompt: str = "query: ",
    train_embeddings: bool = False,
    hard_negatives: int = 1,
    val_corpus: str = "all",
    max_steps: int | None = None,
    max_minutes: float | None = None,
    seed: int = 42,
) -> dict[str, Any]:
    """Fine-tune ``base`` on ``pairs``, save it and its manifest in ``out``; return the manifest."""
    import torch
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from sentence_transformers.util import mine_hard_negatives

    started, clock = time.perf_counter(), time.monotonic()
    torch.manual_seed(seed)
    if val_pairs is None:
        train, val = _split(pairs, 0.1)
    else:
        train, val = pairs, val_pairs
    docs = list(dict.fromkeys(d for _, d in [*train, *val]))
    model = SentenceTransformer(base, device="cpu", local_files_only=True)
    full_length = model.max_seq_length
    model.max_seq_length = min(full_length or max_seq_length, max_seq_length)  # bounded memory
    if not train_embeddings:  # 96M of e5-small's 118M weights: frozen, small data cannot move them
        transformer: Any = model[0]
        transformer.auto_model.get_input_embeddings().requires_grad_(False)
    # "val": only the validation pairs' documents — an 8x cheaper check on UIT for bounded runs
    val_docs = docs if val_corpus == "all" else list(dict.fromkeys(d for _, d in val))
    evaluator = _evaluator(val, val_docs, (query_prompt, doc_prompt))
    validating = time.monotonic()
    before = _metrics(evaluator, model)
    validation_s = time.monotonic() - validating
    logger.info("validation before: %s (%.0f s)", before, validation_s)
    dataset = Dataset.from_dict(
        {"anchor": [q for q, _ in train], "positive": [d for _, d in train]}
    )
    if hard_negatives:
        # hard negatives from the current model over every document (the index it would serve)
        dataset = mine_hard_negatives(
            dataset,
            model,
            corpus=docs,
            range_min=1,
            num_negatives=hard_negatives,
            sampling_strategy="top",
            query_prompt=query_prompt,
            corpus_prompt=doc_prompt,
            batch_size=batch_size,
            verbose=False,
        )
    callbacks = []
    if max_minutes is not None:
        # the validation after training costs what the one before did: keep that time for it
        budget = _time_budget_callback(clock + max_minutes * 60 - validation_s)
        callbacks.append(budget)
    work = out.with_name(f".tmp-{out.name}")
    shutil.rmtree(work, ignore_errors=True)
    # per-epoch validation and early stopping only for whole epochs (a bounded run may stop mid-way)
    per_epoch = epochs > 1 and not max_steps and max_minutes is None
    args = SentenceTransformerTrainingArguments(
        output_dir=str(work / "checkpoints"),
        num_train_epochs=epochs,
        max_steps=max_steps or -1,
        per_device_train_batch_size=batch_size,
        learning_rate=learning_rate,
        warmup_ratio=0.1,
        use_cpu=True,
        seed=seed,
        prompts={"anchor": query_prompt, "positive": doc_prompt, "negative": doc_prompt},
        eval_strategy="epoch" if per_epoch else "no",
        save_strategy="epoch" if per_epoch else "no",
        save_total_limit=1,
        load_best_model_at_end=per_epoch,  # early stopping on the validation split
        metric_for_best_model="eval_val_cosine_mrr@10",
        logging_steps=10,
        report_to="none",
        dataloader_num_workers=0,
    )
    trainer = SentenceTransformerTrainer(
        model=model,
        args=args,
        train_dataset=dataset,
        loss=MultipleNegativesRankingLoss(model),
        evaluator=evaluator,
        callbacks=callbacks,
    )
    trainer.train()
    steps = int(trainer.state.global_step)
    after = _metrics(evaluator, model)
    logger.info("validation after: %s", after)
    model.max_seq_length = full_length
    shutil.rmtree(work / "checkpoints", ignore_errors=True)
    model.save(str(work))
    digest = hashlib.sha256(json.dumps([train, val], ensure_ascii=False).encode()).hexdigest()
    manifest: dict[str, Any] = {
        "base_model": base_id,
        "base_path": str(base),
        "data_sha256": digest,
        "pairs": {"train": len(train), "validation": len(val), "documents": len(docs)},
        "training": {
            "epochs": epochs,
            "batch_size": batch_size,
            "max_seq_length": max_seq_length,
            "learning_rate": learning_rate,
            "train_embeddings": train_embeddings,
            "steps": steps,
            "max_steps": max_steps,
            "max_minutes": max_minutes,
            "stopped_by_time": bool(callbacks and callbacks[0].stopped),
            "hard_negatives": hard_negatives,
            "validation_documents": len(val_docs),
            "loss": "MultipleNegativesRankingLoss"
            + (f" + {hard_negatives} mined hard negative" if hard_negatives else " (in-batch)"),
            "prompts": [query_prompt, doc_prompt],
            "seconds": round(time.perf_counter() - started, 1),
            "threads": torch.get_num_threads(),
        },
        "metrics_before": before,
        "metrics_after": after,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    manifest["refused"] = adaptation_refusal(manifest)
    (work / ADAPT_MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    if out.exists():
        shutil.rmtree(out)
    work.rename(out)
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bin/assistant encoder adapt",
        description="Tinh chỉnh bộ mã hoá trên câu hỏi của tỉnh (ngoại tuyến, CPU).",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--pairs", type=Path, help="cặp câu hỏi–câu trả lời (.jsonl hoặc .csv)")
    source.add_argument("--from-faq", action="store_true", help="cặp từ các cách hỏi của kho FAQ")
    parser.add_argument("--val-pairs", type=Path, help="tập kiểm định riêng (mặc định giữ 10%%)")
    parser.add_argument("--faq-dir", type=Path, help="kho FAQ (mặc định ASSISTANT_FAQ_DIR)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=16, choices=range(2, 33), metavar="2..32")
    parser.add_argument("--max-seq-length", type=int, default=256)
    parser.add_argument("--learning-rate", type=float, default=2e-5)
    parser.add_argument("--limit", type=int, help="dùng tối đa N cặp huấn luyện (thử nhanh)")
    parser.add_argument(
        "--max-steps", type=int, help="dừng sau N bước huấn luyện (lịch học trải trên N bước)"
    )
    parser.add_argument(
        "--max-minutes",
        type=float,
        help="giới hạn thời gian cả lệnh (phút): dừng huấn luyện sớm, vẫn kiểm định và ghi kết quả",
    )
    parser.add_argument(
        "--val-corpus",
        choices=("all", "val"),
        default="all",
        help="tài liệu kiểm định: của mọi cặp (all) hay chỉ của tập kiểm định (val, nhanh hơn)",
    )
    parser.add_argument(
        "--hard-negatives",
        type=int,
        default=1,
        choices=(0, 1, 2),
        help="số câu phủ định khó khai thác cho mỗi cặp (0: chỉ dùng phủ định trong lô)",
    )
    parser.add_argument("--out", type=Path, help="thư mục kết quả (mặc định trong cache)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from retrieval.models import locate_model
    from settings.services import get_settings

    settings = get_settings()
    if args.pairs:
        pairs = load_pairs(args.pairs)
        doc_prompt = "passage: "  # answers are passages to e5
    else:
        pairs = faq_pairs(args.faq_dir or settings.paths.faq_dir)
        doc_prompt = settings.retrieval.query_prompt  # the bot matches question to question
    val = load_pairs(args.val_pairs) if args.val_pairs else None
    if args.limit:
        pairs = pairs[: args.limit]
    import torch

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    try:
        located = locate_model(settings.retrieval.embedding_model, settings.paths.models_dir)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        out = args.out or settings.paths.models_dir / f"adapted-{stamp}"
        manifest = adapt(
            pairs,
            base=located.path,
            base_id=located.model_id,
            out=out,
            val_pairs=val,
            epochs=args.epochs,
            batch_size=args.batch_size,
            max_seq_length=args.max_seq_length,
            learning_rate=args.learning_rate,
            query_prompt=settings.retrieval.query_prompt,
            doc_prompt=doc_prompt,
            hard_negatives=args.hard_negatives,
            val_corpus=args.val_corpus,
            max_steps=args.max_steps,
            max_minutes=args.max_minutes,
        )
    except RetrievalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    before, after = manifest["metrics_before"], manifest["metrics_after"]
    print(f"validation before {before}\nvalidation after  {after}\n→ {out}")
    if manifest["refused"]:
        print(f"refused: {manifest['refused']}", file=sys.stderr)
        return 1
    print(f"to use it: ASSISTANT_EMBEDDING_MODEL={out} make index (then restart the services)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
