"""Training a JamSpell model from plain Russian text (``manage.py train_spelling``)."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import tempfile
from pathlib import Path

from .locale import import_jamspell
from .model_files import DEFAULT_MODEL

ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_COMPRESSED = {".xz": lzma.open, ".lzma": lzma.open, ".gz": gzip.open, ".bz2": bz2.open}


def prepare_corpus(corpus: Path, out: Path, max_mb: float | None = None, block_chars: int = 1 << 16) -> int:
    """Write ``corpus`` (plain, .xz, .gz or .bz2) to ``out`` as plain text with ё read as е.

    With ``max_mb``, blocks of whole lines spread evenly over the corpus are kept, up to about that
    size, so a small model still sees every author rather than the first one: a block is kept while
    the text kept so far is behind ``max_mb`` times the share of the (compressed) file read, so one
    pass does it. Returns the bytes written.
    """
    target = max_mb * 1e6 if max_mb else None
    total = max(corpus.stat().st_size, 1)
    opener = _COMPRESSED.get(corpus.suffix.lower())
    written = 0
    with open(corpus, "rb") as raw, open(out, "w", encoding="utf-8") as dst:
        src = (
            opener(raw, "rt", encoding="utf-8", errors="replace")
            if opener
            else open(raw.fileno(), "r", encoding="utf-8", errors="replace", closefd=False)
        )
        with src:
            block: list[str] = []
            size = 0
            for line in src:
                block.append(line)
                size += len(line)
                if size < block_chars:
                    continue
                if target is None or written < target * raw.tell() / total:
                    chunk = "".join(block).replace("ё", "е").replace("Ё", "Е")
                    dst.write(chunk)
                    written += len(chunk.encode("utf-8"))
                block, size = [], 0
            if block and (target is None or written < target):
                chunk = "".join(block).replace("ё", "е").replace("Ё", "Е")
                dst.write(chunk)
                written += len(chunk.encode("utf-8"))
    return written


def train(
    corpus_path: str | Path,
    out_path: str | Path = DEFAULT_MODEL,
    alphabet: str = ALPHABET,
    max_mb: float | None = None,
) -> Path:
    """Train a JamSpell model from plain Russian text (.xz/.gz/.bz2 are decompressed to a temp file).

    Writes ``out_path`` and JamSpell's candidate cache ``out_path.spell`` beside it; both replace any
    old ones only when training succeeded. ``max_mb`` caps the text used (spread over the corpus).
    """
    corpus, out = Path(corpus_path), Path(out_path)
    if not corpus.is_file():
        raise FileNotFoundError(f"no corpus {corpus}")
    jamspell = import_jamspell()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".jamspell-", dir=out.parent) as tmp:
        text, letters, model = Path(tmp) / "corpus.txt", Path(tmp) / "alphabet.txt", Path(tmp) / out.name
        if prepare_corpus(corpus, text, max_mb) == 0:
            raise ValueError(f"{corpus}: no text")
        letters.write_text("".join(sorted(set(alphabet.lower()))), encoding="utf-8")
        if not jamspell.TSpellCorrector().TrainLangModel(str(text), str(letters), str(model)):
            raise ValueError(f"{corpus}: JamSpell could not train on it (no words of the alphabet?)")
        os.replace(f"{model}.spell", f"{out}.spell")
        os.replace(model, out)
    return out
