"""The diffusers illustrator on a tiny Stable-Diffusion-style pipeline built here from configs (a 2-block
UNet, a 2-block VAE, a 2-layer CLIP text encoder and a byte-level CLIP tokenizer written as
vocab.json/merges.txt), saved the way released pipelines are laid out and loaded through the backend's
own code."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from fairytales.pipeline.backend import BackendUnavailable
from fairytales.pipeline.illustration import HEIGHT, WIDTH, IllustrationContext, cover, styled_prompt
from fairytales.pipeline.illustration.diffusers_t2i import DiffusersIllustrator, snap, step_callback
from fairytales.pipeline.types import Scene

TINY = {"width": 32, "height": 32, "steps": 2}


def write_clip_tokenizer(folder: Path) -> None:
    """The smallest CLIP tokenizer that reads any text: the 256 byte-level symbols (alone and word-final), no
    merges, so every byte is a token."""
    from tokenizers.pre_tokenizers import ByteLevel

    folder.mkdir(parents=True)
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for suffix in ("", "</w>"):
        for symbol in sorted(ByteLevel.alphabet()):
            vocab[symbol + suffix] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"tokenizer_class": "CLIPTokenizer", "model_max_length": 77}), encoding="utf-8")


@pytest.fixture(scope="module")
def tiny_pipeline(tmp_path_factory) -> Path:
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    root = tmp_path_factory.mktemp("tiny-sd")
    write_clip_tokenizer(root / "clip-tokenizer")
    tokenizer = CLIPTokenizer.from_pretrained(root / "clip-tokenizer")

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        sample_size=16, in_channels=4, out_channels=4, block_out_channels=(16, 32), layers_per_block=1,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32, attention_head_dim=4, norm_num_groups=8)
    vae = AutoencoderKL(
        sample_size=32, in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(16, 32),
        down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
        norm_num_groups=8)
    text_encoder = CLIPTextModel(CLIPTextConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_attention_heads=4,
        num_hidden_layers=2, max_position_embeddings=77, projection_dim=32,
        bos_token_id=0, eos_token_id=1, pad_token_id=1))
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                              clip_sample=False, set_alpha_to_one=False, steps_offset=1)
    pipeline = StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                       scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                       requires_safety_checker=False)
    folder = root / "pipeline"
    pipeline.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def illustrator(tiny_pipeline) -> DiffusersIllustrator:
    backend = DiffusersIllustrator(model=str(tiny_pipeline))
    backend.ensure_loaded()
    return backend


SCENE = Scene(index=2, text="Колобок покатился по дорожке.", prompt="Колобок катится по лесной дорожке")
CONTEXT = IllustrationContext(title="Колобок", genre="сказка", seed=10)


def test_draws_a_full_frame(illustrator, tmp_path):
    reports: list[tuple[float, str]] = []
    out = tmp_path / "scene.png"
    meta = illustrator.draw(SCENE, CONTEXT, out, TINY, lambda f, m="": reports.append((f, m)))

    with Image.open(out) as image:
        assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
        pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
    assert pixels.std() > 5  # not a blank frame
    assert meta == {"prompt": styled_prompt(SCENE.prompt, "сказка"), "steps": 2, "seed": 12,
                    "model": str(illustrator.model), "size": [40, 24]}  # 32×32 in the frame's 16:9
    assert meta["prompt"].startswith(SCENE.prompt) and "иллюстрация" in meta["prompt"]
    steps = [(f, m) for f, m in reports if m.startswith("Шаг")]
    assert steps == [(0.5, "Шаг 1 из 2"), (1.0, "Шаг 2 из 2")]


def test_a_vertical_film_gets_upright_pictures_of_the_same_area(illustrator, tmp_path):
    upright = IllustrationContext(title="Колобок", genre="сказка", seed=10, width=720, height=1280)
    out = tmp_path / "upright.png"
    meta = illustrator.draw(SCENE, upright, out, TINY)
    width, height = meta["size"]
    area = TINY["width"] * TINY["height"]
    assert height > width and abs(width * height - area) < 0.25 * area
    with Image.open(out) as image:
        assert image.size == (720, 1280)
        assert np.asarray(image.convert("RGB"), dtype=np.float32).std() > 5


def test_same_seed_same_bytes(illustrator, tmp_path):
    paths = [tmp_path / f"{name}.png" for name in ("a", "b", "c")]
    illustrator.draw(SCENE, CONTEXT, paths[0], TINY)
    illustrator.draw(SCENE, CONTEXT, paths[1], TINY)
    meta = illustrator.draw(SCENE, CONTEXT, paths[2], {**TINY, "seed": 99})
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()
    assert meta["seed"] == 99


def test_missing_model_is_one_line_and_fast(tmp_path):
    for model in (str(tmp_path / "nowhere"), "nobody-here/no-such-pipeline"):
        backend = DiffusersIllustrator(model=model)
        assert backend.available()[0] is False
        started = time.monotonic()
        with pytest.raises(BackendUnavailable) as caught:
            backend.ensure_loaded()
        assert time.monotonic() - started < 5
        message = str(caught.value)
        assert "\n" not in message
        assert "MODEL_ILLUSTRATION_DIFFUSERS" in message and "fetch_models" in message


def test_available_for_a_folder(tiny_pipeline):
    assert DiffusersIllustrator(model=str(tiny_pipeline)).available() == (True, "")


def test_cover_crops_without_bars():
    wide = Image.new("RGB", (200, 50), "red")
    wide.paste((0, 0, 255), (0, 0, 20, 50))  # a blue strip at the left edge: cropped away
    framed = cover(wide)
    assert framed.size == (WIDTH, HEIGHT)
    assert np.asarray(framed)[:, :, 2].max() < 60
    tall = cover(Image.new("RGB", (30, 100), "green"))
    assert tall.size == (WIDTH, HEIGHT) and tall.getpixel((0, 0))[1] > 100  # filled to the corner


def test_sizes_snap_to_multiples_of_8():
    assert [snap(s) for s in (32, 432, 430, 3, 768)] == [32, 432, 432, 8, 768]


def test_old_style_step_callback():
    """Kandinsky 2.1's combined pipeline still takes ``callback(step, timestep, latents)``."""

    class OldPipeline:
        def __call__(self, prompt, callback=None, callback_steps=1):
            for step in range(3):
                callback(step, 999 - step, None)

    steps: list[tuple[int, int | None]] = []
    keywords = step_callback(OldPipeline(), lambda step, total=None: steps.append((step, total)))
    assert set(keywords) == {"callback", "callback_steps"}
    OldPipeline()("кот", **keywords)
    assert steps == [(1, None), (2, None), (3, None)]
