"""Where the JamSpell model is, and its packed form.

The model the project ships, ``models/jamspell/ru_small.bin.xz``, is xz-packed (7 MB instead of 20): a
model named ``X.bin`` that is not there but ``X.bin.xz`` is gets unpacked once into
``var/models/jamspell/``, where JamSpell also writes its candidate cache (``X.bin.spell``) beside it.
"""

from __future__ import annotations

import fcntl
import lzma
import os
import shutil
from pathlib import Path

from ...backend import MODELS_DIR, var_dir
from .locale import import_jamspell

DEFAULT_MODEL = MODELS_DIR / "jamspell" / "ru_small.bin"  # train_spelling writes here
PACKED = ".xz"


def find_model(path: Path) -> Path:
    """The model ``path`` names: itself, or, for a folder, the default name in it or its first .bin
    (packed or not). It may be the packed form (see ``packed_form``)."""
    if path.is_dir():
        if (path / DEFAULT_MODEL.name).is_file() or packed_form(path / DEFAULT_MODEL.name):
            return path / DEFAULT_MODEL.name
        found = sorted([*path.glob("*.bin"), *path.glob(f"*.bin{PACKED}")])
        return found[0] if found else path / DEFAULT_MODEL.name
    return path


def present(path: Path) -> bool:
    """Whether the model file ``path``, or its packed form, is there."""
    return path.is_file() or packed_form(path) is not None


def packed_form(path: Path) -> Path | None:
    """The xz-packed file that stands for the model ``path`` (itself, or ``path.xz`` where ``path``
    is missing), or None when the model is a plain file or not there at all."""
    if path.suffix == PACKED and path.is_file():
        return path
    candidate = path.with_name(path.name + PACKED)
    if not path.exists() and candidate.is_file():
        return candidate
    return None


def unpack(packed: Path) -> Path:
    """``packed`` unpacked into var/models/jamspell/ (once; again when the packed file is newer),
    with JamSpell's candidate cache built there too, under a file lock so that two workers
    starting together neither unpack nor write the cache over each other."""
    folder = var_dir() / "models" / "jamspell"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / packed.name[: -len(PACKED)]
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_file() and target.stat().st_mtime >= packed.stat().st_mtime:
            if Path(f"{target}.spell").is_file():
                return target
        else:
            partial = target.with_name(f".{target.name}.partial")
            with lzma.open(packed) as src, open(partial, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            Path(f"{target}.spell").unlink(missing_ok=True)  # the cache of an older model
            os.replace(partial, target)
        # JamSpell writes the candidate cache when it loads a model that has none (seconds)
        import_jamspell().TSpellCorrector().LoadLangModel(str(target))
    return target


def pack(model: Path) -> Path:
    """``model`` xz-packed beside it as ``model.xz`` (what the project ships)."""
    out = model.with_name(model.name + PACKED)
    partial = out.with_name(f".{out.name}.partial")
    with open(model, "rb") as src, lzma.open(partial, "wb", preset=9) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(partial, out)
    return out
