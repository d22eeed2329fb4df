"""Intent accuracy / macro-F1 on ViMQ: VietnameseTokenizer vs WhitespaceTokenizer (Rasa runtime).

    python -m tools.bench.rasa.vimq_intents --data-dir ../shared/datasets/vimq [--json]

Trains on train.json, tests on test.json (``_`` replaced by spaces, as raw user text), with the
same featurizers and DIET settings; only the tokenizer differs. The data is read from the given
path and never copied into the repository.
"""

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import yaml

PIPELINE_TAIL = [
    {"name": "CountVectorsFeaturizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4},
]
TOKENIZERS = {
    "VietnameseTokenizer": {"name": "assistant.nlu.VietnameseTokenizer", "abbreviations": True},
    "WhitespaceTokenizer": {"name": "WhitespaceTokenizer"},
}


def _load(path: Path) -> list[tuple[str, str]]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [(r["sentence"].replace("_", " "), r["sent_label"]) for r in rows]


def _write_nlu(rows: list[tuple[str, str]], path: Path) -> None:
    by_intent: dict[str, list[str]] = {}
    for text, intent in rows:
        by_intent.setdefault(intent, []).append(text)
    nlu = [
        {"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)}
        for intent, texts in by_intent.items()
    ]
    path.write_text(yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True), "utf-8")


def _macro_f1(gold: list[str], pred: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, average="macro"))


async def _evaluate(model: str, test: list[tuple[str, str]]) -> tuple[float, float, float]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    start = time.perf_counter()
    pred = [(await agent.parse_message(text))["intent"]["name"] for text, _ in test]
    per_message_ms = (time.perf_counter() - start) * 1000 / len(test)
    gold = [intent for _, intent in test]
    accuracy = sum(p == g for p, g in zip(pred, gold, strict=True)) / len(gold)
    return accuracy, _macro_f1(gold, pred), per_message_ms


def run(data_dir: Path, epochs: int) -> dict[str, dict[str, float]]:
    """Train and test one model per tokenizer; return metrics by tokenizer name."""
    import logging

    from rasa.model_training import train_nlu
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa 3.6 logs every parse at DEBUG otherwise

    train, test = _load(data_dir / "train.json"), _load(data_dir / "test.json")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        _write_nlu(train, tmp / "nlu.yml")
        for name, tokenizer in TOKENIZERS.items():
            pipeline = [
                tokenizer,
                *PIPELINE_TAIL,
                {
                    "name": "DIETClassifier",
                    "epochs": epochs,
                    "entity_recognition": False,
                    "constrain_similarities": True,
                    "random_seed": 42,
                },
            ]
            config = {
                "recipe": "default.v1",
                "language": "vi",
                "pipeline": pipeline,
                "assistant_id": "vimq-bench",
                "policies": [],
            }
            (tmp / f"{name}.yml").write_text(yaml.safe_dump(config), "utf-8")
            start = time.perf_counter()
            model = train_nlu(str(tmp / f"{name}.yml"), str(tmp / "nlu.yml"), str(tmp / name))
            train_s = time.perf_counter() - start
            accuracy, macro_f1, ms = asyncio.run(_evaluate(str(model), test))
            results[name] = {
                "accuracy": accuracy,
                "macro_f1": macro_f1,
                "train_s": train_s,
                "parse_ms": ms,
            }
            print(
                f"{name}: accuracy {accuracy:.4f}  macro-F1 {macro_f1:.4f}  "
                f"train {train_s:.0f} s  parse {ms:.1f} ms/msg",
                flush=True,
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="folder with ViMQ json files")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args.data_dir, args.epochs)
    if args.json:
        print(json.dumps({"dataset": "vimq", "epochs": args.epochs, "results": results}))


if __name__ == "__main__":
    main()
