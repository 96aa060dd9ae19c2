"""Golden outputs of the default backends: what fixed seeds make, kept to prove a redesign changed nothing.

``python -m tests.golden.record`` writes ``expected.json`` and ``pictures/`` (run it only when an output is meant
to change, and say why in the commit); ``tests/pipeline/test_golden.py`` makes the same tales and compares.

Pictures are kept as 64×36 thumbnails and compared within THUMBNAIL_TOLERANCE levels, not by digest: NumPy's
vector maths rounds differently on CPUs with AVX-512 (a picture then differs by one level in one pixel), which a
thumbnail averages away, while any change a viewer could see (a figure moved, a colour changed) still shows.
"""

from __future__ import annotations

import hashlib
import json
import wave
from pathlib import Path

import numpy as np
from PIL import Image

from fairytales.pipeline import registry
from fairytales.pipeline.illustration import IllustrationContext
from fairytales.pipeline.scenes import split_scenes
from fairytales.pipeline.types import TaleRequest

EXPECTED = Path(__file__).with_name("expected.json")
PICTURES = Path(__file__).with_name("pictures")
THUMBNAIL = (64, 36)
THUMBNAIL_TOLERANCE = 2
CASES = [
    ("Колобок", "сказка", 1),
    ("Маша и медведь", "детская", 2),
    ("Робот и звезда", "фантастика", 3),
]
GENRES = ("сказка", "ужасы", "юмор")
SCENES = 3
# The backends the golden files were made with (the defaults then), named so a new default changes nothing here.
BACKENDS = {"story": "template", "proofread": "jamspell", "narration": "espeak", "music": "music_transformer",
            "illustration": "storybook"}
MUSIC_SECONDS = 12.0
# The per-stage seed offsets (makers.SEED_OFFSETS), restated so a change there shows here too.
NARRATION_SEED, ILLUSTRATION_SEED, MUSIC_SEED = 100, 200, 300


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


def thumbnail(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("RGB").resize(THUMBNAIL, Image.Resampling.BOX)


def thumbnail_name(title: str, genre: str, seed: int, scene: int) -> str:
    return f"{title}-{genre}-{seed}-{scene}.png".replace(" ", "_")


def picture_difference(picture: Path, recorded: Path) -> int:
    """The largest difference, in levels of 255, between the two pictures' thumbnails."""
    with Image.open(recorded) as expected:
        made = np.asarray(thumbnail(picture), dtype=np.int16)
        return int(np.abs(made - np.asarray(expected.convert("RGB"), dtype=np.int16)).max())


def wav_digest(path: Path) -> str:
    with wave.open(str(path), "rb") as wav:
        return _digest(repr(wav.getparams()[:3]).encode() + wav.readframes(wav.getnframes()))


def midi_digest(path: Path) -> str:
    import pretty_midi  # noqa: PLC0415

    midi = pretty_midi.PrettyMIDI(str(path))
    notes = [(i.program, n.pitch, n.velocity, round(n.start, 4), round(n.end, 4))
             for i in midi.instruments for n in i.notes]
    return _digest(repr(notes).encode())


def make(title: str, genre: str, seed: int, folder: Path) -> dict:
    """Every stage but the video, with the golden backends, as the runner calls them."""
    request = TaleRequest(title=title, genre=genre, scenes=SCENES, seed=seed)
    out: dict = {}
    story = registry.get("story", BACKENDS["story"])
    text = story.write(request, {**story.options(), "seed": seed})
    out["story"] = text
    proofread = registry.get("proofread", BACKENDS["proofread"])
    proofread.ensure_loaded()
    fixed = proofread.fix(text, proofread.options()).text
    out["proofread"] = fixed
    scenes = split_scenes(fixed, SCENES)
    # the stretches of the story each scene holds (for subtitles in other languages) came after these tales were
    # recorded; tests/pipeline/test_translation.py checks them
    out["scenes"] = [{k: v for k, v in s.to_dict().items() if k != "paragraphs"} for s in scenes]
    narrator = registry.get("narration", BACKENDS["narration"])
    painter = registry.get("illustration", BACKENDS["illustration"])
    out["narration"], out["illustration"] = [], []
    for scene in scenes:
        wav = folder / f"n{scene.index}.wav"
        options = narrator.options()
        if "seed" in options and options["seed"] is None:
            options["seed"] = seed + NARRATION_SEED + scene.index
        result = narrator.speak(scene, wav, options)
        out["narration"].append({"wav": wav_digest(wav), "cues": [vars(c) for c in result.cues]})
        png = folder / f"p{scene.index}.png"
        options = painter.options()
        if "seed" in options and options["seed"] is None:
            options["seed"] = seed + ILLUSTRATION_SEED + scene.index
        drawn = painter.draw(scene, IllustrationContext(title=title, genre=genre, seed=seed), png, options)
        out["illustration"].append({"drawn": drawn})  # the picture itself: folder / p<scene>.png
    composer = registry.get("music", BACKENDS["music"])
    composer.ensure_loaded()
    options = composer.options()
    if "seed" in options and options["seed"] is None:
        options["seed"] = seed + MUSIC_SEED
    wav, mid = folder / "music.wav", folder / "music.mid"
    composer.compose(MUSIC_SECONDS, genre, wav, mid, options)
    out["music"] = {"midi": midi_digest(mid), "wav": wav_digest(wav)}
    return json.loads(json.dumps(out, ensure_ascii=False))


def cases():
    """Three titles × three genres, each with its own seed."""
    for title, _, seed in CASES:
        for genre in GENRES:
            yield title, genre, seed
