"""The latent morph join: vqgan_clip keeps the latent each picture decodes from, and a join between two such
pictures decodes spherical in-betweens of the two latents; without latents it is the flow morph. On the tiny
models of test_vqgan_clip.py (a VQGAN whose weights pass colours through, a random CLIP)."""

from __future__ import annotations

import shutil
from itertools import pairwise

import numpy as np
import pytest
from PIL import Image

torch = pytest.importorskip("torch")
pytest.importorskip("taming")
pytest.importorskip("multilingual_clip")

from fairytales.pipeline import registry  # noqa: E402
from fairytales.pipeline.artifacts import DirectoryStore  # noqa: E402
from fairytales.pipeline.illustration import HEIGHT, WIDTH, cover  # noqa: E402
from fairytales.pipeline.illustration.vqgan_clip import VqganClipIllustrator, read_latent, save_latent  # noqa: E402
from fairytales.pipeline.narration.assemble import write_wav  # noqa: E402
from fairytales.pipeline.runner import Choice, Redo, Runner  # noqa: E402
from fairytales.pipeline.types import Cue, TaleRequest  # noqa: E402
from fairytales.pipeline.video import FPS, Cut, SceneClip, segments  # noqa: E402
from fairytales.pipeline.video.ffmpeg import FfmpegEditor  # noqa: E402
from fairytales.pipeline.video.latent_morph import inbetweens, slerp, unusable  # noqa: E402
from fairytales.pipeline.video.layout import layout  # noqa: E402
from fairytales.pipeline.video.timeline import plan  # noqa: E402
from tests.media import streams  # noqa: E402
from tests.neural.test_vqgan_clip import BIRD, CONTEXT, SCENE, SHORT, illustrator, models  # noqa: E402, F401


def pixels(path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"), dtype=np.float32)


def distance(a, b) -> float:
    return float(np.abs(np.asarray(a, dtype=np.float32) - np.asarray(b, dtype=np.float32)).mean())


def decoded(path) -> dict[int, np.ndarray]:
    import av

    with av.open(str(path)) as container:
        return {round(f.time * FPS): f.to_ndarray(format="rgb24") for f in container.decode(video=0)}


@pytest.fixture(scope="module")
def pair(illustrator, tmp_path_factory):  # noqa: F811
    """Two pictures drawn by the tiny VQGAN+CLIP from different random starts (a wolf, a bird):
    [(png, latent, what draw returned)]."""
    folder = tmp_path_factory.mktemp("pair")
    drawn = []
    for name, scene, seed in (("wolf", SCENE, 8), ("bird", BIRD, 99)):
        png = folder / f"{name}.png"
        info = illustrator.draw(scene, CONTEXT, png, {**SHORT, "seed": seed})
        drawn.append((png, illustrator.extra_files(png)["latent"], info))
    return drawn


def test_the_saved_latent_decodes_to_the_saved_picture(illustrator, models, pair):  # noqa: F811
    png, latent, info = pair[0]
    z, model = read_latent(latent)
    assert latent.name == "wolf.pt" and model == str(models) and info["latent"]["model"] == str(models)
    assert list(z.shape) == info["latent"]["shape"] == [1, 16, 12, 21]  # 84×48 at the factor 4
    assert torch.equal(illustrator.snap(z), z)  # quantised: codebook entries only
    picture = illustrator.decode_latents(z)[0]
    assert picture.shape == (48, 84, 3)
    shown = np.asarray(cover(Image.fromarray(picture), WIDTH, HEIGHT), dtype=np.float32)
    assert distance(shown, pixels(png)) < 0.5  # the very picture
    # a worker that only edits films loads the VQGAN alone, and decodes the same
    decoder = VqganClipIllustrator(model=str(models), device="cpu")
    assert np.array_equal(decoder.decode_latents(z)[0], picture)
    assert decoder.text_encoder is None and decoder.clip is None


def test_a_picture_without_a_drawing_of_its_own_keeps_no_latent(illustrator, tmp_path):  # noqa: F811
    assert illustrator.extra_files(tmp_path / "never-drawn.png") == {}


def test_slerp_in_betweens_move_from_one_picture_to_the_other(pair, models):  # noqa: F811
    (png_a, latent_a, _), (_, latent_b, _) = pair
    z_a, z_b = read_latent(latent_a)[0], read_latent(latent_b)[0]
    weights = [i / 8 for i in range(9)]
    path = slerp(z_a, z_b, weights)
    assert torch.allclose(path[0], z_a[0], atol=1e-5) and torch.allclose(path[-1], z_b[0], atol=1e-5)
    to_a = [float((z - z_a[0]).norm()) for z in path]
    to_b = [float((z - z_b[0]).norm()) for z in path]
    assert all(x < y for x, y in pairwise(to_a)), to_a  # in the latent space, strictly
    assert all(x > y for x, y in pairwise(to_b)), to_b
    # spherical, not straight: every position's vector is as long as the ends' lengths say, where a straight
    # line would pass through shorter ones
    lengths = [z.norm(dim=0) for z in (z_a[0], z_b[0], path[4])]
    assert torch.allclose(lengths[2], (lengths[0] + lengths[1]) / 2, atol=1e-4)
    straight = ((z_a[0] + z_b[0]) / 2).norm(dim=0)
    assert float((lengths[2] - straight).mean()) > 0.01

    pictures = list(inbetweens(latent_a, latent_b, weights))
    assert len(pictures) == len(weights) + 2  # the two pictures themselves first
    assert np.array_equal(pictures[0], pictures[2]) and np.array_equal(pictures[1], pictures[-1])
    frames = pictures[2:]
    picture_a, picture_b = frames[0], frames[-1]
    assert distance(np.asarray(cover(Image.fromarray(picture_a), WIDTH, HEIGHT)), pixels(png_a)) < 0.5
    to_a = [distance(f, picture_a) for f in frames]
    to_b = [distance(f, picture_b) for f in frames]
    # on the decoded pictures too (each eighth of the way moves them 4-7 grey levels here), and evenly: the
    # halfway picture is well away from both
    assert all(x < y for x, y in pairwise(to_a)), to_a
    assert all(x > y for x, y in pairwise(to_b)), to_b
    assert to_a[-1] > 10 and to_a[4] > 0.25 * to_a[-1] and to_b[4] > 0.25 * to_b[0]
    # decoded by the registry's illustrator for that model, loaded once and kept for the next join
    decoder = registry.get("illustration", "vqgan_clip", str(models))
    vqgan = decoder.vqgan
    assert vqgan is not None and next(inbetweens(latent_a, latent_b, [0.5])) is not None
    assert decoder.vqgan is vqgan


def test_a_join_without_both_latents_says_why(pair, tmp_path, models):  # noqa: F811
    (_, latent_a, _), (_, latent_b, _) = pair
    assert unusable(latent_a, latent_b, (1, 2)) is None
    assert unusable(None, latent_b, (0, 1)) == "the title card has no VQGAN latent"
    assert unusable(latent_a, None, (1, 2)) == "the picture of scene 2 has no VQGAN latent"
    assert "missing" in unusable(latent_a, tmp_path / "gone.pt", (1, 2))
    other = save_latent(read_latent(latent_b)[0], str(tmp_path / "another-vqgan"), tmp_path / "other.pt")
    assert unusable(latent_a, other, (1, 2)) == "the pictures of scenes 1 and 2 come from different VQGAN models"
    smaller = save_latent(read_latent(latent_b)[0][..., :-1], str(models), tmp_path / "smaller.pt")
    assert "differ in shape" in unusable(latent_a, smaller, (1, 2))


VOICES = [1.6, 1.8]
SHORT_FILM = {"title_seconds": 1.0, "preset": "ultrafast"}


def make(clips, folder, name, **options):
    """The film of ``clips`` with ``options``, its segments kept in ``folder``; and the segments it encoded."""
    made: list[str] = []
    real = segments.run_jobs

    def counting(jobs, *args, **kwargs):
        made.extend(job.out.name for job in jobs if job.out.parent == folder)
        return real(jobs, *args, **kwargs)

    segments.run_jobs = counting
    try:
        editor = FfmpegEditor()
        meta = editor.assemble(Cut("Колобок", "сказка", clips, None, segments_dir=folder),
                               folder.parent / f"{name}.mp4", folder.parent / f"{name}.jpg",
                               editor.options({**SHORT_FILM, **options}))
    finally:
        segments.run_jobs = real
    return folder.parent / f"{name}.mp4", meta, made


def test_a_join_without_latents_is_the_flow_morph(pair, tmp_path):
    clips = []
    for index, ((png, latent, _), seconds) in enumerate(zip(pair, VOICES), start=1):
        wav = tmp_path / f"n{index}.wav"
        t = np.arange(int(seconds * 22050)) / 22050
        write_wav(wav, (0.4 * np.sin(2 * np.pi * 180 * index * t)).astype(np.float32), 22050)
        clips.append(SceneClip(png, wav, seconds, [Cue(0.0, seconds, "Жили-были")], latent=latent))
    clips[0].latent = None  # a picture from another illustrator, or drawn before latents were kept
    morphed, _, _ = make(clips, tmp_path / "morph" / "segments", "morph", join="morph")
    kept = tmp_path / "latent" / "segments"
    shutil.copytree(morphed.parent / "segments", kept)
    film, meta, made = make(clips, kept, "latent", join="latent")
    assert meta["join_fallbacks"] == {"1": "the title card has no VQGAN latent",
                                      "2": "the picture of scene 1 has no VQGAN latent"}
    assert made == []  # both joins are the flow morph's segments, kept from the morph film
    assert all(np.array_equal(a, b) for a, b in zip(decoded(morphed).values(), decoded(film).values()))


@pytest.fixture(scope="module")
def tale(models, tmp_path_factory):  # noqa: F811
    """A two-scene tale drawn by the tiny VQGAN+CLIP, its film made with the fade, then again with latent
    morphs (a redo of the video alone): the store, the two films."""
    registry._cache.clear()
    store = DirectoryStore(tmp_path_factory.mktemp("tale"))
    choices = {
        "narration": Choice("espeak"), "music": Choice("procedural"),
        # a picture per scene (shot_seconds 0): the joins between scenes are what this checks
        "illustration": Choice("vqgan_clip", str(models), {"size": [64, 64], "iterations": 3, "cutouts": 2,
                                                           "shot_seconds": 0}),
        "video": Choice("ffmpeg", None, {**SHORT_FILM, "join": "fade"}),
    }
    request = TaleRequest("Колобок", "сказка", scenes=2, seed=5)
    faded = Runner(request, store, choices).run()
    latent = Runner(request, store, choices, [Redo("video", options={"join": "latent"})]).run()
    return store, faded, latent


@pytest.mark.slow
def test_a_tale_with_latent_joins_is_as_long_as_with_the_fade_and_morphs_between_its_pictures(tale):
    store, faded, latent = tale
    pictures = [store.current("illustration", scene) for scene in (1, 2)]
    for picture in pictures:
        assert picture.file("latent").suffix == ".pt" and ".part" not in picture.file("latent").name
        assert picture.meta["drawn"]["latent"]["model"] == picture.model
    assert latent.options["join"] == "latent"
    assert latent.meta["duration"] == faded.meta["duration"]
    assert latent.meta["scene_starts"] == faded.meta["scene_starts"]
    assert latent.meta["join_fallbacks"] == {"1": "the title card has no VQGAN latent"}  # the card has none
    assert streams(latent.file("video"))["video"]["duration"] == pytest.approx(
        streams(faded.file("video"))["video"]["duration"], abs=1e-3)
    before, after = decoded(faded.file("video")), decoded(latent.file("video"))
    assert sorted(before) == sorted(after)

    voices = [store.current("narration", scene).meta["duration"] for scene in (1, 2)]
    framing = layout(plan(voices, title_seconds=SHORT_FILM["title_seconds"], crossfade=0.8), FPS)
    joins = [range(p.start, p.start + p.frames) for p in framing.pieces if p.kind == "join"]
    inside = {n for span in joins for n in span}
    assert all(np.array_equal(before[n], after[n]) for n in before if n not in inside)  # the bodies as they were
    span = joins[1]  # the cut from scene 1 into scene 2: a latent morph
    going, coming = after[span.start - 1], after[span.stop]
    for number in list(span)[2:-2]:
        assert distance(after[number], going) > 1 and distance(after[number], coming) > 1, number
    middle = span[len(span) // 2]
    assert distance(after[middle], before[middle]) > 0.5  # not the fade
    # it starts where the scene going out is and ends where the one coming in is
    assert distance(after[span.start], going) < distance(after[span.start], coming)
    assert distance(after[span[-1]], coming) < distance(after[span[-1]], going)
