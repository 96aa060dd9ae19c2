"""Fixed seeds make the same tales they made before the house was put in order (tests/golden).

The backends' outputs (the defaults when they were recorded) for three titles × three genres: story and proofread text and the scenes
compared whole, pictures by thumbnail (see tests/golden), narration (samples) and music (MIDI notes, samples) by
digest.
"""

import json

import pytest

from fairytales.pipeline import registry
from tests.golden import (BACKENDS, EXPECTED, PICTURES, THUMBNAIL_TOLERANCE, cases, make, picture_difference,
                          thumbnail_name)

EXPECTED_TALES = json.loads(EXPECTED.read_text("utf-8"))


def test_the_golden_backends_can_run_here():
    for stage, name in BACKENDS.items():
        backend = registry.get(stage, name)
        assert backend.available()[0], backend.available()[1]


@pytest.mark.parametrize(("title", "genre", "seed"), list(cases()))
def test_fixed_seeds_make_the_same_tale(title, genre, seed, tmp_path):
    expected = EXPECTED_TALES[f"{title} | {genre} | {seed}"]
    made = make(title, genre, seed, tmp_path)
    for stage in ("story", "proofread", "scenes", "narration", "illustration", "music"):
        assert made[stage] == expected[stage], f"{stage} differs for «{title}», {genre}"
    for scene in range(1, len(made["illustration"]) + 1):
        difference = picture_difference(tmp_path / f"p{scene}.png", PICTURES / thumbnail_name(title, genre, seed, scene))
        assert difference <= THUMBNAIL_TOLERANCE, f"picture {scene} of «{title}», {genre} differs by {difference}"
