"""VQGAN+CLIP illustrator on tiny models built from configs and saved in the released layout."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

torch = pytest.importorskip("torch")
pytest.importorskip("taming")
pytest.importorskip("multilingual_clip")

from fairytales.pipeline.backend import BackendUnavailable  # noqa: E402
from fairytales.pipeline.illustration import HEIGHT, WIDTH, IllustrationContext  # noqa: E402
from fairytales.pipeline.illustration import vqgan_clip  # noqa: E402
from fairytales.pipeline.illustration.vqgan_clip import VqganClipIllustrator  # noqa: E402
from fairytales.pipeline.types import Scene  # noqa: E402

PROJECTION = 24
RUSSIAN = (
    "В некотором царстве, в некотором государстве жил-был царь с царицею. "
    "Серый волк бежал по тёмному лесу к избушке на курьих ножках. "
    "Иван-царевич сел на коня и поехал за Жар-птицей через поле и реку. "
    "Ночью над морем светила луна, а утром солнце осветило золотой дворец. "
    "Баба-яга, Кощей Бессмертный, Василиса Прекрасная, Ёжик, щука, эхо, юла, шапка, чудо, фея."
)
FAST = {"size": [64, 64], "iterations": 8, "cutouts": 4, "step_size": 0.1}


def _vqgan(root: Path) -> None:
    """A tiny taming VQModel, fitted for a few steps to smooth pictures so that encode/decode mean
    something, saved as vqgan.yaml + a Lightning-1-style vqgan.ckpt."""
    from omegaconf import OmegaConf

    vqgan_clip._lightning_shim()
    from taming.models.vqgan import VQModel

    params = {
        "embed_dim": 16,
        "n_embed": 64,
        "ddconfig": {
            "double_z": False, "z_channels": 16, "resolution": 64, "in_channels": 3, "out_ch": 3, "ch": 32,
            "ch_mult": [1, 2], "num_res_blocks": 1, "attn_resolutions": [], "dropout": 0.0,
        },
        "lossconfig": {"target": "taming.modules.losses.vqperceptual.DummyLoss"},
    }
    with io.StringIO() as sink, contextlib.redirect_stdout(sink):
        model = VQModel(**params)
    generator = torch.Generator().manual_seed(0)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(30):
        pictures = _smooth_pictures(4, 16, generator) * 2 - 1
        reconstruction, codebook_loss = model(pictures)
        loss = (reconstruction - pictures).abs().mean() + codebook_loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    OmegaConf.save(OmegaConf.create({"model": {"target": "taming.models.vqgan.VQModel", "params": params}}),
                   root / "vqgan.yaml")
    state = dict(model.state_dict())
    state["loss.discriminator.main.0.weight"] = torch.zeros(1)  # released checkpoints carry the GAN loss
    torch.save({"state_dict": state, "epoch": 1, "hyper_parameters": argparse.Namespace(lr=3e-3)},
               root / "vqgan.ckpt")


def _smooth_pictures(count: int, size: int, generator) -> "torch.Tensor":
    """Vertical two-colour gradients with a disc of a third colour, in [0, 1]."""
    ys, xs = torch.meshgrid(torch.linspace(0, 1, size), torch.linspace(0, 1, size), indexing="ij")
    pictures = []
    for _ in range(count):
        colours, where = torch.rand(3, 3, 1, 1, generator=generator), torch.rand(3, generator=generator)
        picture = colours[0] * (1 - ys) + colours[1] * ys
        disc = (((xs - where[0]) ** 2 + (ys - where[1]) ** 2) < (0.15 + 0.2 * where[2]) ** 2).float()
        pictures.append(picture * (1 - disc) + colours[2] * disc)
    return torch.stack(pictures)


def _tokenizer(folder: Path):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import XLMRobertaTokenizer

    alphabet = sorted(set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя" + "абвгдеёжзийклмнопрстуфхцчшщъыьэюя".upper()))
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(vocab_size=160, special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
                                      unk_token="<unk>", initial_alphabet=alphabet)
    tok.train_from_iterator([RUSSIAN] * 4, trainer)
    tok.add_special_tokens(["<mask>"])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    tokenizer = XLMRobertaTokenizer(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
        mask_token="<mask>", cls_token="<s>", sep_token="</s>",
    )
    tokenizer.save_pretrained(str(folder))
    return tokenizer


def _mclip(root: Path, scratch: Path) -> None:
    """A tiny MultilingualCLIP (the library's class, so the parameter names are the real ones)."""
    from multilingual_clip.Config_MCLIP import MCLIPConfig
    from multilingual_clip.pt_multilingual_clip import MultilingualCLIP
    from transformers import XLMRobertaConfig, XLMRobertaModel

    folder = root / "mclip"
    folder.mkdir()
    tokenizer = _tokenizer(folder)
    base = XLMRobertaConfig(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=66, layer_norm_eps=1e-5,
    )
    XLMRobertaModel(base).save_pretrained(str(scratch / "xlmr"))
    config = MCLIPConfig(modelBase=str(scratch / "xlmr"), transformerDimSize=32, imageDimSize=PROJECTION)
    model = MultilingualCLIP(config)
    config.modelBase = "xlm-roberta-tiny"  # as released: a hub name, not a folder
    config.save_pretrained(str(folder))
    torch.save(model.state_dict(), folder / "pytorch_model.bin")
    (folder / "base_config.json").write_text(json.dumps(base.to_dict()), encoding="utf-8")


def _clip(root: Path) -> None:
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    config = CLIPVisionConfig(image_size=32, patch_size=8, hidden_size=32, intermediate_size=64,
                              num_hidden_layers=2, num_attention_heads=2, projection_dim=PROJECTION)
    CLIPVisionModelWithProjection(config).save_pretrained(str(root / "clip"))
    CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}).save_pretrained(
        str(root / "clip")
    )


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Path:
    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("models") / "vqgan_clip"
    root.mkdir()
    _vqgan(root)
    _mclip(root, tmp_path_factory.mktemp("scratch"))
    _clip(root)
    return root


@pytest.fixture(scope="module")
def illustrator(models) -> VqganClipIllustrator:
    backend = VqganClipIllustrator(model=str(models), device="cpu")
    backend.ensure_loaded()
    return backend


SCENE = Scene(index=1, text="Серый волк бежал по тёмному лесу.", prompt="серый волк в тёмном лесу")
CONTEXT = IllustrationContext(title="Волк и лиса", genre="сказка", seed=7)


def _draw(illustrator, tmp_path, name, scene=SCENE, **options):
    calls = []
    out = tmp_path / f"{name}.png"
    info = illustrator.draw(scene, CONTEXT, out, {**FAST, **options}, lambda f, m="": calls.append((f, m)))
    return out, info, calls


def _small(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB").resize((64, 36), Image.Resampling.BILINEAR), dtype=np.float32)


def test_layout_loads_and_the_pair_fits(illustrator, models):
    assert illustrator.factor == 2
    assert illustrator.cut_size == 32
    assert illustrator.text_encoder["LinearTransformation"].out_features == PROJECTION
    assert not any(p.requires_grad for p in illustrator.clip.parameters())
    assert not any(p.requires_grad for p in illustrator.vqgan.parameters())
    # without base_config.json the transformer's config is read off the weights
    state = torch.load(models / "mclip" / "pytorch_model.bin", weights_only=True)
    inferred = vqgan_clip.xlm_roberta_config(state)
    base = json.loads((models / "mclip" / "base_config.json").read_text())
    for key in ("vocab_size", "hidden_size", "num_hidden_layers", "intermediate_size", "max_position_embeddings"):
        assert getattr(inferred, key) == base[key], key


def test_draw_lowers_the_loss_and_writes_1280x720(illustrator, tmp_path):
    out, info, calls = _draw(illustrator, tmp_path, "a")
    assert info["loss_end"] < info["loss_start"]
    assert len(info["losses"]) == info["iterations"] == 8
    assert info["seed"] == CONTEXT.seed + SCENE.index
    assert info["size"] == [64, 64]
    assert info["prompt"].startswith(SCENE.prompt)
    steps = [(f, m) for f, m in calls if m.startswith("итерация")]
    assert len(steps) == 8
    assert steps[-1][0] == pytest.approx(1.0)
    assert steps[0][1].startswith("итерация 1/8, потеря ")
    assert [f for f, _ in steps] == sorted(f for f, _ in steps)
    with Image.open(out) as img:
        assert img.size == (WIDTH, HEIGHT)
        pixels = np.asarray(img.convert("RGB"), dtype=np.float32)
    assert pixels.std() > 2.0  # not blank

    again, info_again, _ = _draw(illustrator, tmp_path, "a_again")
    assert again.read_bytes() == out.read_bytes()
    assert info_again["losses"] == info["losses"]


def test_prompt_changes_the_text_embedding_and_the_picture(illustrator, tmp_path):
    wolf = illustrator.encode_text("серый волк в тёмном лесу")
    bird = illustrator.encode_text("жар-птица над золотым дворцом")
    assert wolf.shape == (1, PROJECTION)
    assert not torch.allclose(wolf, bird, atol=1e-4)
    a, _, _ = _draw(illustrator, tmp_path, "wolf")
    other = Scene(index=1, text="", prompt="жар-птица над золотым дворцом")
    b, info, _ = _draw(illustrator, tmp_path, "bird", scene=other)
    assert info["prompt"].startswith("жар-птица")
    assert a.read_bytes() != b.read_bytes()


def test_init_image_is_used(illustrator, tmp_path):
    picture = _smooth_pictures(1, 64, torch.Generator().manual_seed(3))[0]
    init = tmp_path / "init.png"
    Image.fromarray((picture.permute(1, 2, 0).numpy() * 255).astype(np.uint8)).resize((128, 72)).save(init)
    plain, _, _ = _draw(illustrator, tmp_path, "plain")
    started, _, _ = _draw(illustrator, tmp_path, "started", init_image=str(init))
    assert plain.read_bytes() != started.read_bytes()
    target = _small(init)
    assert np.abs(_small(started) - target).mean() < np.abs(_small(plain) - target).mean()


def test_missing_models_folder_is_one_line(tmp_path):
    backend = VqganClipIllustrator(model=str(tmp_path / "nowhere"), device="cpu")
    ok, why = backend.available()
    assert not ok and "MODEL_ILLUSTRATION_VQGAN_CLIP" in why
    with pytest.raises(BackendUnavailable) as caught:
        backend.ensure_loaded()
    message = str(caught.value)
    assert "\n" not in message
    assert "MODEL_ILLUSTRATION_VQGAN_CLIP" in message and "fetch_models" in message


def test_missing_part_is_named(models, tmp_path):
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "vqgan.yaml").write_text((models / "vqgan.yaml").read_text())
    backend = VqganClipIllustrator(model=str(partial), device="cpu")
    with pytest.raises(BackendUnavailable, match="vqgan.ckpt"):
        backend.ensure_loaded()


def test_default_folder_and_options():
    backend = VqganClipIllustrator()
    assert Path(backend.model).parts[-2:] == ("models", "vqgan_clip")
    assert backend.options({"size": "320x180"})["size"] == [320, 180]
    assert backend.options()["iterations"] == 300
