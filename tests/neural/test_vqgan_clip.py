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

from fairytales.pipeline.backend import BackendUnavailable, OptionError  # noqa: E402
from fairytales.pipeline.illustration import HEIGHT, WIDTH, IllustrationContext  # noqa: E402
from fairytales.pipeline.illustration import vqgan_models  # noqa: E402
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


LEVELS = 8  # the fixture's codebook: an 8x8x8 colour palette in the first three latent channels


def _vqgan(root: Path) -> None:
    """A tiny taming VQModel whose weights are set by hand so that it passes colours through: every
    residual branch and attention output is zeroed, the shortcuts, down/up-sampling convolutions and
    in/out convolutions carry the three colour channels, and the codebook is a colour palette.  So
    encode/decode mean something without training.  Saved as vqgan.yaml + a Lightning-1-style vqgan.ckpt."""
    from omegaconf import OmegaConf

    vqgan_models._lightning_shim()
    from taming.models.vqgan import VQModel
    from taming.modules.diffusionmodules.model import AttnBlock, Downsample, ResnetBlock, Upsample

    params = {
        "embed_dim": 16,
        "n_embed": LEVELS**3,
        "ddconfig": {
            "double_z": False, "z_channels": 16, "resolution": 64, "in_channels": 3, "out_ch": 3, "ch": 32,
            "ch_mult": [1, 1, 2], "num_res_blocks": 1, "attn_resolutions": [], "dropout": 0.0,
        },
        "lossconfig": {"target": "taming.modules.losses.vqperceptual.DummyLoss"},
    }
    with io.StringIO() as sink, contextlib.redirect_stdout(sink):
        model = VQModel(**params)

    def carry(conv, pairs, taps=((1, 1),), scale=1.0, bias=0.0):
        """conv passes input channel i to output channel o (for (o, i) in pairs), at the given taps."""
        conv.weight.zero_()
        conv.bias.fill_(bias)
        for out_channel, in_channel in pairs:
            for y, x in taps:
                conv.weight[out_channel, in_channel, y, x] = scale / len(taps)

    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, ResnetBlock):
                carry(module.conv2, [])
                if module.in_channels != module.out_channels:
                    shared = range(min(module.in_channels, module.out_channels))
                    carry(module.nin_shortcut, [(i, i) for i in shared], taps=((0, 0),))
            elif isinstance(module, AttnBlock):
                carry(module.proj_out, [])
            elif isinstance(module, Downsample):  # a 2x2 average
                channels = [(i, i) for i in range(module.conv.in_channels)]
                carry(module.conv, channels, taps=((0, 0), (0, 1), (1, 0), (1, 1)))
            elif isinstance(module, Upsample):
                carry(module.conv, [(i, i) for i in range(module.conv.in_channels)])
        rgb = [0, 2, 4]  # one colour per group of the encoder's last GroupNorm (two channels a group)
        carry(model.encoder.conv_in, list(zip(rgb, range(3))))
        carry(model.encoder.conv_out, list(zip(range(3), rgb)))
        carry(model.quant_conv, [(i, i) for i in range(16)], taps=((0, 0),))
        carry(model.post_quant_conv, [(i, i) for i in range(16)], taps=((0, 0),))
        carry(model.decoder.conv_in, [(i, i) for i in range(3)])
        carry(model.decoder.conv_out, [(i, i) for i in range(3)], scale=0.7, bias=-0.3)
        levels = torch.linspace(-0.3, 2.2, LEVELS)
        palette = torch.cartesian_prod(levels, levels, levels)
        model.quantize.embedding.weight.zero_()
        model.quantize.embedding.weight[:, :3] = palette

    OmegaConf.save(OmegaConf.create({"model": {"target": "taming.models.vqgan.VQModel", "params": params}}),
                   root / "vqgan.yaml")
    state = dict(model.state_dict())
    state["loss.discriminator.main.0.weight"] = torch.zeros(1)  # released checkpoints carry the GAN loss
    torch.save({"state_dict": state, "epoch": 1, "hyper_parameters": argparse.Namespace(lr=4.5e-6)},
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
BIRD = Scene(index=1, text="", prompt="жар-птица над золотым дворцом")
CONTEXT = IllustrationContext(title="Волк и лиса", genre="сказка", seed=7)
SHORT = {**FAST, "iterations": 3}


class Drawing:
    def __init__(self, illustrator, folder: Path, name: str, scene: Scene = SCENE, **options):
        self.calls: list[tuple[float, str]] = []
        self.path = folder / f"{name}.png"
        self.info = illustrator.draw(scene, CONTEXT, self.path, {**FAST, **options},
                                     lambda fraction, message="": self.calls.append((fraction, message)))
        self.bytes = self.path.read_bytes()

    def small(self) -> np.ndarray:
        return _small(self.path)


def _small(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB").resize((64, 36), Image.Resampling.BILINEAR), dtype=np.float32)


@pytest.fixture(scope="module")
def drawn(illustrator, tmp_path_factory) -> Drawing:
    """The test scene at 64x64, 8 iterations, 4 crops."""
    return Drawing(illustrator, tmp_path_factory.mktemp("drawn"), "wolf")


@pytest.fixture(scope="module")
def short(illustrator, tmp_path_factory) -> Drawing:
    """The same with 3 iterations: the reference for the seed, prompt and init-image tests."""
    return Drawing(illustrator, tmp_path_factory.mktemp("short"), "wolf", **SHORT)


def test_layout_loads_and_the_pair_fits(illustrator, models):
    assert illustrator.factor == 4
    assert illustrator.cut_size == 32
    assert illustrator.text_encoder["LinearTransformation"].out_features == PROJECTION
    assert illustrator.codebook.shape == (LEVELS**3, 16)
    for model in (illustrator.vqgan, illustrator.text_encoder, illustrator.clip):
        assert not model.training
        assert not any(p.requires_grad for p in model.parameters())
    # without base_config.json the transformer's config is read off the weights
    state = torch.load(models / "mclip" / "pytorch_model.bin", weights_only=True)
    inferred = vqgan_models.xlm_roberta_config(state)
    base = json.loads((models / "mclip" / "base_config.json").read_text())
    keys = ("vocab_size", "hidden_size", "num_hidden_layers", "intermediate_size", "max_position_embeddings")
    for key in keys:
        assert getattr(inferred, key) == base[key], key


def test_draw_lowers_the_loss_and_writes_1280x720(drawn):
    info = drawn.info
    assert info["loss_end"] < info["loss_start"]
    assert len(info["losses"]) == info["iterations"] == 8
    assert info["seed"] == CONTEXT.seed + SCENE.index
    assert info["size"] == [84, 48]  # the 64×64 option's area in the frame's 16:9
    assert info["prompt"].startswith(SCENE.prompt)
    with Image.open(drawn.path) as img:
        assert img.format == "PNG" and img.size == (WIDTH, HEIGHT)
        pixels = np.asarray(img.convert("RGB"), dtype=np.float32)
    assert pixels.std() > 5.0  # not blank


def test_progress_every_iteration(drawn):
    steps = [(f, m) for f, m in drawn.calls if m.startswith("итерация")]
    assert len(steps) == 8
    assert [f for f, _ in steps] == pytest.approx([i / 8 for i in range(1, 9)])
    assert steps[0][1] == f"итерация 1/8, потеря {drawn.info['losses'][0]:.3f}"
    assert all(0.0 <= f <= 1.0 for f, _ in drawn.calls)


def test_same_seed_same_bytes(illustrator, short, tmp_path):
    again = Drawing(illustrator, tmp_path, "again", **SHORT)
    assert again.bytes == short.bytes
    assert again.info == short.info


def test_prompt_changes_the_text_embedding_and_the_picture(illustrator, short, tmp_path):
    wolf = illustrator.encode_text(SCENE.prompt)
    bird = illustrator.encode_text(BIRD.prompt)
    assert wolf.shape == (1, PROJECTION)
    assert torch.linalg.vector_norm(wolf) == pytest.approx(1.0, abs=1e-5)
    assert not torch.allclose(wolf, bird, atol=1e-3)
    other = Drawing(illustrator, tmp_path, "bird", scene=BIRD, **SHORT)
    assert other.info["prompt"].startswith(BIRD.prompt)
    assert other.bytes != short.bytes


def test_init_image_is_used(illustrator, short, tmp_path):
    picture = _smooth_pictures(1, 64, torch.Generator().manual_seed(3))[0]
    init = tmp_path / "init.png"
    pixels = (picture.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    Image.fromarray(pixels).resize((128, 72), Image.Resampling.BILINEAR).save(init)
    started = Drawing(illustrator, tmp_path, "started", init_image=str(init), **SHORT)
    assert started.bytes != short.bytes
    target = _small(init)
    assert np.abs(started.small() - target).mean() < np.abs(short.small() - target).mean()
    # the fixture's VQGAN keeps the layout (its GroupNorms shift the colours): the init's gradient and
    # disc are still there after a few steps, a random start has nothing of them
    assert _correlation(started.small(), target) > 0.5
    assert abs(_correlation(short.small(), target)) < 0.3


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean([np.corrcoef(a[..., c].ravel(), b[..., c].ravel())[0, 1] for c in range(3)]))


def test_missing_init_image_is_an_option_error(illustrator, tmp_path):
    with pytest.raises(OptionError, match="init_image"):
        illustrator.draw(SCENE, CONTEXT, tmp_path / "x.png", {**SHORT, "init_image": str(tmp_path / "no")})


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


def test_size_is_rounded_to_the_vqgan_factor(illustrator, tmp_path):
    odd = Drawing(illustrator, tmp_path, "odd", size="69x39", iterations=1, augment=False)  # the frame's shape
    assert odd.info["size"] == [68, 40]
    with Image.open(odd.path) as img:
        assert img.size == (WIDTH, HEIGHT)


def test_a_watcher_sees_the_picture_improve_and_the_result_stays_the_same(illustrator, drawn, tmp_path):
    """A progress callback with ``preview`` (the runner's, for the site's store) gets the picture so far every
    few iterations (here every 2 of 8, not the last: the saved picture is that one); drawing is unchanged."""
    previews, steps = [], []

    def progress(fraction, message=""):
        steps.append(fraction)

    progress.preview = lambda picture: previews.append((len(steps), picture.copy()))
    path = tmp_path / "wolf.png"
    illustrator.draw(SCENE, CONTEXT, path, dict(FAST), progress)
    assert [at for at, _ in previews] == [1 + 2, 1 + 4, 1 + 6]  # after "кодирую" and that iteration's report
    assert all(picture.size == (84, 48) for _, picture in previews)
    pixels = [np.asarray(picture, dtype=np.float32) for _, picture in previews]
    assert all(np.abs(a - b).mean() > 0 for a, b in zip(pixels, pixels[1:]))  # it changes as it is drawn
    assert path.read_bytes() == drawn.bytes  # and the previews took nothing from the drawing
