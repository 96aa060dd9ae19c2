"""The character sheet's references on the neural illustrators' tiny models: the diffusers pipeline receives
the hero's reference picture for every scene that names the hero, and VQGAN+CLIP starts those scenes from it."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from fairytales.pipeline.artifacts import Artifact
from fairytales.pipeline.cast import make_sheet, plot_roles, shown_in
from fairytales.pipeline.illustration import IllustrationContext, cover
from fairytales.pipeline.illustration.vqgan_clip import VqganClipIllustrator
from fairytales.pipeline.scenes import split_scenes
from fairytales.pipeline.story.template.backend import TemplateStoryteller
from fairytales.pipeline.types import TaleRequest
from tests.neural.test_diffusers import TINY, illustrator, tiny_pipeline  # noqa: F401 - the fixtures
from tests.neural.test_vqgan_clip import SHORT, _correlation, _small, models  # noqa: F401 - models: a fixture

REQUEST = TaleRequest(title="Колобок", genre="сказка", scenes=4, seed=3)
CONTEXT = IllustrationContext(title="Колобок", genre="сказка", seed=3, width=64, height=36)


@pytest.fixture(scope="module")
def tale():
    story = TemplateStoryteller().write(REQUEST, {"length": 1500})
    scenes = split_scenes(story, REQUEST.scenes)
    told = Artifact(stage="story", scene=None, files={}, backend="template", options={})
    return make_sheet(REQUEST, scenes, *plot_roles(REQUEST, told)), scenes


def recording(pipe, calls: list) -> None:
    """Make ``pipe`` (a diffusers pipeline) note the keyword arguments of each call, then draw as before."""
    original = type(pipe).__call__

    @functools.wraps(original)
    def call(self, *args, **kwargs):
        calls.append(kwargs)
        return original(self, *args, **kwargs)

    pipe.__class__ = type(f"Recording{type(pipe).__name__}", (type(pipe),), {"__call__": call})


def test_diffusers_draws_every_scene_naming_the_hero_from_the_heros_reference(illustrator, tale, tmp_path):  # noqa: F811 - fixtures
    sheet, scenes = tale
    for member in sheet:
        if member.main:
            member.reference = tmp_path / f"reference-{member.key}.png"
            drawn = illustrator.reference(member, CONTEXT, member.reference, TINY)
            assert drawn["seed"] == member.seed and member.description in drawn["prompt"]
    hero = sheet[0]
    with Image.open(hero.reference) as opened:
        hero_picture = opened.convert("RGB")
    from_reference, plain = [], []
    recording(illustrator._reference_pipe(), from_reference)
    recording(illustrator._pipe, plain)
    for scene in scenes:
        shown = [m for m in sheet if scene.index in m.scenes]
        drawn = illustrator.draw(scene, replace(CONTEXT, cast=shown), tmp_path / f"scene-{scene.index}.png", TINY)
        if hero in shown_in(shown, scene, "ru"):
            assert drawn["reference"] == hero.reference.name and hero.description in drawn["prompt"]
    naming_hero = [s for s in scenes if s.index in hero.scenes]
    assert naming_hero and len(from_reference) >= len(naming_hero)
    given = [np.asarray(call["image"]) for call in from_reference]
    expected = np.asarray(cover(hero_picture, *given[0].shape[1::-1])) if given else None
    assert sum(np.array_equal(picture, expected) for picture in given) == len(naming_hero)
    assert len(from_reference) + len(plain) == len(scenes)


def test_vqgan_starts_every_scene_showing_the_hero_from_the_heros_first_picture(tale, models, tmp_path):  # noqa: F811 - fixtures
    folder = tmp_path
    vqgan = VqganClipIllustrator(model=str(models), device="cpu")
    vqgan.ensure_loaded()
    sheet, scenes = tale
    hero = replace(sheet[0], reference=folder / "reference-hero.png")
    portrait = vqgan.reference(hero, CONTEXT, hero.reference, SHORT)
    assert portrait["seed"] == hero.seed and portrait["prompt"].startswith(hero.description)
    with_hero = next(s for s in scenes if s.index in hero.scenes)
    started = vqgan.draw(with_hero, replace(CONTEXT, cast=[hero]), folder / "with.png", SHORT)
    alone = vqgan.draw(with_hero, CONTEXT, folder / "alone.png", SHORT)
    assert started["reference"] == hero.reference.name and "reference" not in alone
    assert hero.description in started["prompt"] and hero.description not in alone["prompt"]
    target = _small(hero.reference)
    assert _correlation(_small(folder / "with.png"), target) > _correlation(_small(folder / "alone.png"), target)


@pytest.fixture(scope="module")
def tiny_adapter(tmp_path_factory, tiny_pipeline):  # noqa: F811 - the fixture imported above
    """A random IP-Adapter for the tiny pipeline, laid out as released ones are: its image projection and
    per-cross-attention key/value weights in one safetensors file, and a 2-layer CLIP image encoder."""
    import torch
    from diffusers import UNet2DConditionModel
    from safetensors.torch import save_file
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

    folder = tmp_path_factory.mktemp("ip-adapter")
    torch.manual_seed(1)
    CLIPVisionModelWithProjection(CLIPVisionConfig(
        hidden_size=32, intermediate_size=37, projection_dim=32, num_hidden_layers=2, num_attention_heads=4,
        image_size=32, patch_size=8)).save_pretrained(folder / "image_encoder")
    unet = UNet2DConditionModel.from_pretrained(tiny_pipeline / "unet")
    cross = unet.config.cross_attention_dim
    tensors = {"image_proj.proj.weight": torch.randn(4 * cross, 32) * 0.2,
               "image_proj.proj.bias": torch.zeros(4 * cross),
               "image_proj.norm.weight": torch.ones(cross), "image_proj.norm.bias": torch.zeros(cross)}
    key = 1
    for name in unet.attn_processors:
        if name.endswith("attn2.processor"):
            shape = unet.get_submodule(name.removesuffix(".processor")).to_k.weight.shape
            tensors[f"ip_adapter.{key}.to_k_ip.weight"] = torch.randn(shape) * 0.2
            tensors[f"ip_adapter.{key}.to_v_ip.weight"] = torch.randn(shape) * 0.2
            key += 2
    save_file(tensors, str(folder / "ip-adapter_tiny.safetensors"))
    return folder


def test_diffusers_hands_the_heros_reference_to_an_ip_adapter(tiny_pipeline, tiny_adapter, tale, tmp_path,  # noqa: F811
                                                              monkeypatch):
    from fairytales.pipeline.illustration.diffusers_t2i import IP_ADAPTER_SETTING, DiffusersIllustrator

    monkeypatch.setenv(IP_ADAPTER_SETTING, str(tiny_adapter))
    adapted = DiffusersIllustrator(model=str(tiny_pipeline))
    adapted.ensure_loaded()
    sheet, scenes = tale
    hero = replace(sheet[0], reference=tmp_path / "reference-hero.png")
    adapted.reference(hero, CONTEXT, hero.reference, TINY)
    calls: list[dict] = []
    recording(adapted._reference_pipe(), calls)
    assert adapted._reference_pipe() is adapted._pipe and adapted._pipe.image_encoder is not None
    for scene in scenes:
        drawn = adapted.draw(scene, replace(CONTEXT, cast=[hero]), tmp_path / f"scene-{scene.index}.png", TINY)
        assert ("reference" in drawn) == (scene.index in hero.scenes)
    with Image.open(hero.reference) as opened:
        reference = np.asarray(opened.convert("RGB"))
    given = [call["ip_adapter_image"] for call in calls]
    assert len(given) == len(scenes)  # once the adapter is in, every call takes a picture (a blank one: no one)
    assert sum(np.array_equal(np.asarray(picture), reference) for picture in given) == len(hero.scenes)
