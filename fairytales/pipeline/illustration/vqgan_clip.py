"""VQGAN+CLIP with a multilingual text encoder: a picture optimised until CLIP sees the Russian prompt in it.

The scene's prompt (with a style suffix for the tale's genre) is embedded by M-CLIP, a multilingual
text encoder trained to land in an OpenAI CLIP image space.  A VQGAN latent ``z`` is then optimised
with Adam: ``z`` is snapped to the VQGAN codebook (straight-through), decoded to an image, cut into
random crops with light augmentations, and the crops' CLIP image embeddings are pulled towards the
text embedding (squared great-circle distance).  The final image is scaled up and cover-cropped to
1280x720.  Every random draw comes from one ``torch.Generator`` seeded per scene: the same seed gives
the same PNG on a CPU.  Beside the PNG goes the quantised latent it decodes from (``….pt``, the result's
``latent`` file, with the models folder that decodes it), so the film can morph one picture into the next
through the VQGAN's latent space (video/latent_morph.py).

Weights: one folder (``MODEL_ILLUSTRATION_VQGAN_CLIP``, default ``models/vqgan_clip/`` in the repository),
laid out like the released files::

    models/vqgan_clip/
      vqgan.yaml        taming-transformers config (``model.target`` taming.models.vqgan.VQModel or GumbelVQ,
                        ``model.params`` with ddconfig, n_embed, embed_dim); lossconfig is ignored
                        (replaced by DummyLoss: the LPIPS/discriminator loss is for training only)
      vqgan.ckpt        its Lightning checkpoint ({"state_dict": ...}), e.g. vqgan_imagenet_f16_16384
      mclip/            an M-CLIP text encoder, e.g. the files of M-CLIP/XLM-Roberta-Large-Vit-B-32:
        config.json         MCLIPConfig (modelBase, transformerDimensions, numDims)
        pytorch_model.bin   (or model.safetensors) its state dict: transformer.* + LinearTransformation.*
        tokenizer.json ...  its tokenizer (tokenizer.json or sentencepiece.bpe.model, tokenizer_config.json)
        base_config.json    optional: the config of modelBase (an XLM-R config is inferred from the weights)
      clip/             the CLIP image encoder M-CLIP was trained against, e.g. openai/clip-vit-base-patch32
        config.json         CLIPVisionConfig or a full CLIPConfig (its vision part is used)
        model.safetensors   (or pytorch_model.bin) CLIPVisionModelWithProjection or CLIPModel weights
        preprocessor_config.json   optional: image_mean / image_std (OpenAI's values otherwise)

M-CLIP text encoders pair with one CLIP image encoder each (XLM-R-Large-Vit-B-32 <-> ViT-B/32, 512-d):
the two embedding sizes must agree, and a mismatched pair gives pictures of nothing in particular.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..backend import MODELS_DIR, SEED, BackendUnavailable, Option, OptionError
from ..cast import described, shown_in
from ..notes import Note
from ..types import ProgressCallback, Scene, no_progress
from . import SHOTS, STILL, IllustrationContext, Illustrator, cover, shaped, styled_prompt
from .vqgan_models import load_image_encoder, load_text_encoder, load_vqgan

WEIGHTS_DIR = MODELS_DIR / "vqgan_clip"


CUT_SIZE_FALLBACK = 224
MAX_INIT_PIXELS = 4096 * 4096  # the site's upload limit; a bigger file named on the command line is refused
# How often a watcher sees the picture improve (when the progress callback has a ``preview``): every this many
# iterations, or a quarter of a short run. Each costs one more decode.
PREVIEW_EVERY = 25


class VqganClipIllustrator(Illustrator):
    name = "vqgan_clip"
    label = "VQGAN+CLIP (многоязычный CLIP)"
    device_need = "gpu"
    declared_options = (
        # width, height of the optimised picture; rounded to the VQGAN's factor
        Option("size", [512, 288], "Размер картинки VQGAN+CLIP", min=8, max=2048, form=True,
               presets=([384, 216], [512, 288], [768, 432])),
        Option("iterations", 300, "Итераций VQGAN+CLIP", min=1, max=2000, form=True),
        Option("step_size", 0.1, "Шаг оптимизации", min=0.005, max=1.0, form=True),  # Adam's learning rate on z
        Option("cutouts", 32, "Вырезок на итерацию", min=1, max=128, form=True),  # crops CLIP looks at
        # > 1: more small crops (details), < 1: more large ones (composition)
        Option("cut_power", 1.0, "Степень вырезок", min=0.1, max=10.0),
        SEED,  # None: the tale's seed + the scene's
        # a picture to start from instead of random codes (the form's upload, stored in the tale's folder)
        Option("init_image", None, "Начальная картинка VQGAN+CLIP", kind=str, form=True, upload=True),
        Option("augment", True, "Искажать вырезки"),  # flips, small rotations/shifts, colour jitter, noise
        STILL,
        SHOTS,
    )
    default_model = str(WEIGHTS_DIR)

    def __init__(self, model: str | None = None, device: str | None = None):
        super().__init__(model=model, device=device)
        self.vqgan = None
        self.factor = 16
        self.codebook = None  # (n_embed, embed_dim)
        self.tokenizer = None
        self.text_encoder = None
        self.text_max_length = 512
        self.clip = None
        self.cut_size = CUT_SIZE_FALLBACK
        self.clip_mean = None
        self.clip_std = None
        self._decoder_lock = threading.Lock()

    # -----------------------------------------------------------------------------------------
    # Availability and loading
    # -----------------------------------------------------------------------------------------

    def available(self) -> tuple[bool, str]:
        for module in ("torch", "taming", "transformers", "omegaconf"):
            if importlib.util.find_spec(module) is None:
                return False, (f"{self.stage}/{self.name}: python package {module!r} is not installed "
                               "(pip install -r requirements/neural.txt)")
        missing = self._missing_part()
        if missing:
            return False, str(self.missing_weights(missing))
        return True, ""

    def _missing_part(self) -> str | None:
        """What is missing from the models folder (one phrase), or None when everything is there."""
        root = Path(self.model)
        if not root.is_dir():
            return "no such folder"
        wanted = [
            ("vqgan.yaml",), ("vqgan.ckpt",), ("mclip/config.json",),
            ("mclip/pytorch_model.bin", "mclip/model.safetensors"),
            ("mclip/tokenizer.json", "mclip/sentencepiece.bpe.model"),
            ("clip/config.json",), ("clip/model.safetensors", "clip/pytorch_model.bin"),
        ]
        for options in wanted:
            if not any((root / name).is_file() for name in options):
                return f"no {' or '.join(options)} in {root}"
        return None

    def load(self) -> None:
        missing = self._missing_part()
        if missing:
            raise self.missing_weights(missing)
        root = Path(self.model)
        self.ensure_decoder()  # the VQGAN may be loaded already, for a film's latent morphs
        quantize = self.vqgan.quantize
        self.codebook = (quantize.embedding if hasattr(quantize, "embedding") else quantize.embed).weight
        self.tokenizer, self.text_encoder, self.text_max_length = load_text_encoder(
            root / "mclip", self.device
        )
        self.clip, self.cut_size, mean, std = load_image_encoder(root / "clip", self.device)
        import torch  # noqa: PLC0415

        self.clip_mean = torch.tensor(mean, device=self.device).view(1, 3, 1, 1)
        self.clip_std = torch.tensor(std, device=self.device).view(1, 3, 1, 1)
        text_dims = self.text_encoder["LinearTransformation"].out_features
        image_dims = self.clip.config.projection_dim
        if text_dims != image_dims:
            raise BackendUnavailable(
                f"{self.stage}/{self.name}: the text encoder in {root / 'mclip'} gives {text_dims}-d "
                f"embeddings and the image encoder in {root / 'clip'} {image_dims}-d: they are not a pair"
            )

    # -----------------------------------------------------------------------------------------
    # Options
    # -----------------------------------------------------------------------------------------

    def options(self, given: dict[str, Any] | None = None) -> dict[str, Any]:
        opts = super().options(given)
        if len(opts["size"]) != 2:
            raise OptionError(f"{self.stage}/{self.name}: size must be [width, height], got {opts['size']!r}")
        return opts

    @classmethod
    def work(cls, options: dict, pictures: int) -> float:
        width, height = options["size"]
        return float(width * height * options["iterations"] * pictures)

    # -----------------------------------------------------------------------------------------
    # The pipeline
    # -----------------------------------------------------------------------------------------

    def draw(
        self,
        scene: Scene,
        context: IllustrationContext,
        out_png: Path,
        options: dict,
        progress: ProgressCallback = no_progress,
    ) -> dict:
        import torch  # noqa: PLC0415

        opts = self.options(options)
        self.ensure_loaded()
        seed = int(opts["seed"]) if opts["seed"] is not None else int(context.seed) + int(scene.index)
        iterations = int(opts["iterations"])
        size = shaped(*opts["size"], context)  # the option's area, in the shape of the film's frame
        width, height = (max(self.factor, round(v / self.factor) * self.factor) for v in size)
        generator = torch.Generator("cpu").manual_seed(seed)  # every random draw below comes from it
        # the character sheet: whoever the scene shows is described in the prompt, and a scene that shows the
        # hero (or another main character) starts from their first picture, so it is the same one throughout
        members = shown_in(context.cast, scene, context.language)
        reference = next((m.reference for m in members if m.reference is not None and m.reference.is_file()), None)
        start = opts["init_image"] or reference
        init = load_picture(start, width, height) if start else None

        # 1. the text: what CLIP should see
        progress(0.0, Note("кодирую подпись к картинке"))
        prompt = picture_prompt(scene, context, members)
        text = self.encode_text(prompt)

        # 2. the starting latent: random codebook entries, or the init image through the VQGAN encoder
        if init is not None:
            z = self.encode_image(init)
        else:
            z = self.random_latent(width // self.factor, height // self.factor, generator)
        z = z.detach().clone().requires_grad_(True)
        z_min = self.codebook.min(dim=0).values.view(1, -1, 1, 1)
        z_max = self.codebook.max(dim=0).values.view(1, -1, 1, 1)
        optimizer = torch.optim.Adam([z], lr=float(opts["step_size"]))

        def loss_of(z: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
            image = self.decode(z)
            crops = make_cutouts(image, self.cut_size, int(opts["cutouts"]), opts["cut_power"], generator)
            if opts["augment"]:
                crops = augment(crops, generator)
            return spherical_distance(self.embed_images(crops), text).mean()

        def measured(z: torch.Tensor) -> float:
            """The loss on one fixed set of crops, so the first and the last are comparable."""
            with torch.no_grad():
                return float(loss_of(z, torch.Generator("cpu").manual_seed(seed + 1)))

        # 3. the optimisation: decode -> crops -> CLIP -> distance to the text; step z
        loss_start = measured(z)
        history = []
        show = getattr(progress, "preview", None)  # the runner's, where the store can show pictures mid-way
        every = max(1, min(PREVIEW_EVERY, iterations // 4))
        for i in range(1, iterations + 1):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_of(z, generator)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                z.copy_(torch.maximum(torch.minimum(z, z_max), z_min))  # stay where the codebook is
            history.append(float(loss.detach()))
            progress(i / iterations, Note("итерация {i}/{iterations}, потеря {loss:.3f}", i=i,
                                                     iterations=iterations, loss=history[-1]))
            if show and i % every == 0 and i < iterations:
                with torch.no_grad():
                    show(Image.fromarray(to_uint8(self.decode(z)[0])))
        loss_end = measured(z)

        # 4. the picture: decode once more, scale up, cover-crop to 1280x720; and the latent it decodes from
        with torch.no_grad():
            snapped = self.snap(z)
            final = self.decode(snapped)[0]
        picture = Image.fromarray(to_uint8(final))
        out = Path(out_png)
        out.parent.mkdir(parents=True, exist_ok=True)
        cover(picture, context.width, context.height).save(out, "PNG")
        save_latent(snapped, str(self.model), latent_path(out))
        progress(1.0, Note("картинка готова"))
        return {
            **({"reference": Path(reference).name} if reference and not opts["init_image"] else {}),
            "prompt": prompt,
            "iterations": iterations,
            "loss_start": round(loss_start, 4),
            "loss_end": round(loss_end, 4),
            "losses": [round(v, 4) for v in history],
            "seed": seed,
            "size": [width, height],
            # the quantised latent the picture decodes from, for the film's latent morphs (video/latent_morph.py)
            "latent": {"model": str(self.model), "shape": list(snapped.shape)},
        }

    def reference(self, member, context: IllustrationContext, out_png: Path, options: dict,
                  progress: ProgressCallback = no_progress) -> dict:
        """The character's first picture, from their description and their own seed: where every later scene
        that shows them starts."""
        portrait = Scene(index=0, text=member.description, prompt=member.description)
        drawn = self.draw(portrait, replace(context, cast=[]), out_png, {**options, "seed": member.seed}, progress)
        latent_path(Path(out_png)).unlink(missing_ok=True)  # no film morphs from it: the picture is enough
        return drawn

    def extra_files(self, out_png: Path) -> dict[str, Path]:
        latent = latent_path(out_png)
        return {"latent": latent} if latent.is_file() else {}

    # -----------------------------------------------------------------------------------------
    # Steps
    # -----------------------------------------------------------------------------------------

    def encode_text(self, prompt: str):
        """M-CLIP: the mean of the transformer's token states, projected into CLIP space; unit length."""
        import torch  # noqa: PLC0415

        tokens = self.tokenizer(
            [prompt], padding=True, truncation=True, max_length=self.text_max_length, return_tensors="pt"
        )
        ids = tokens["input_ids"].to(self.device)
        mask = tokens["attention_mask"].to(self.device)
        with torch.no_grad():
            states = self.text_encoder["transformer"](input_ids=ids, attention_mask=mask)[0]
            pooled = (states * mask.unsqueeze(2)).sum(dim=1) / mask.sum(dim=1, keepdim=True)
            embedding = self.text_encoder["LinearTransformation"](pooled)
        return torch.nn.functional.normalize(embedding.float(), dim=-1)

    def random_latent(self, columns: int, rows: int, generator):
        """A latent made of random codebook entries: (1, embed_dim, rows, columns)."""
        import torch  # noqa: PLC0415

        codes = torch.randint(self.codebook.shape[0], (rows * columns,), generator=generator)
        z = self.codebook[codes.to(self.device)]
        return z.view(1, rows, columns, -1).permute(0, 3, 1, 2).contiguous()

    def encode_image(self, picture: Image.Image):
        """The init picture's quantised VQGAN latent."""
        import torch  # noqa: PLC0415

        pixels = torch.from_numpy(np.asarray(picture, dtype=np.float32) / 127.5 - 1.0)
        pixels = pixels.permute(2, 0, 1).unsqueeze(0).to(self.device)
        with torch.no_grad():
            z, _, _ = self.vqgan.encode(pixels)
        return z

    def snap(self, z):
        """Each of z's vectors replaced by its nearest codebook entry (no gradient)."""
        batch, dims, rows, columns = z.shape
        flat = z.detach().permute(0, 2, 3, 1).reshape(-1, dims)
        distances = (
            flat.pow(2).sum(dim=1, keepdim=True)
            - 2 * flat @ self.codebook.T
            + self.codebook.pow(2).sum(dim=1)
        )
        return self.codebook[distances.argmin(dim=1)].view(batch, rows, columns, dims).permute(0, 3, 1, 2)

    def decode(self, z):
        """Snap z to its nearest codebook entries (gradients pass straight through), decode to [0, 1] RGB."""
        z_q = z + (self.snap(z) - z).detach()
        image = self.vqgan.decode(z_q).add(1).div(2)
        return image + (image.clamp(0, 1) - image).detach()

    def ensure_decoder(self) -> None:
        """The VQGAN alone, loaded once (the whole backend when it is loaded already): what decoding a latent
        needs, without the text and image encoders."""
        with self._decoder_lock:
            if self.vqgan is None:
                root = Path(self.model)
                for name in ("vqgan.yaml", "vqgan.ckpt"):
                    if not (root / name).is_file():
                        raise self.missing_weights(f"no {name} in {root}")
                self.vqgan, self.factor = load_vqgan(root / "vqgan.yaml", root / "vqgan.ckpt", self.device)

    def decode_latents(self, z) -> list[np.ndarray]:
        """Latents (N, embed_dim, rows, columns) decoded as they are, not snapped (an in-between of two
        pictures' latents is no codebook entry, and snapping it would switch patches instead of morphing):
        N (H, W, 3) uint8 pictures. A snapped latent decodes to the picture drawn from it."""
        import torch  # noqa: PLC0415

        self.ensure_decoder()
        with torch.no_grad():
            images = self.vqgan.decode(z.to(self.device, torch.float32)).add(1).div(2)
        return [to_uint8(image) for image in images]

    def embed_images(self, crops):
        """CLIP image embeddings of [0, 1] crops, unit length."""
        import torch  # noqa: PLC0415

        pixels = (crops - self.clip_mean) / self.clip_std
        embeddings = self.clip(pixel_values=pixels).image_embeds
        return torch.nn.functional.normalize(embeddings.float(), dim=-1)


# ---------------------------------------------------------------------------------------------
# Crops, augmentations, loss
# ---------------------------------------------------------------------------------------------


def make_cutouts(image, cut_size: int, count: int, power: float, generator):
    """``count`` random square crops of ``image`` (1, 3, H, W), resized to cut_size; sizes ~ rand**power."""
    import torch  # noqa: PLC0415
    import torch.nn.functional as F  # noqa: PLC0415, N812

    _, _, height, width = image.shape
    largest = min(height, width)
    smallest = min(height, width, cut_size)
    sizes = torch.rand(count, generator=generator) ** power * (largest - smallest) + smallest
    sizes = sizes.long().tolist()
    corners = torch.rand(count, 2, generator=generator).tolist()
    crops = []
    for size, (fx, fy) in zip(sizes, corners):
        x, y = int(fx * (width - size + 1)), int(fy * (height - size + 1))
        crop = image[:, :, y : y + size, x : x + size]
        if size >= cut_size:
            crop = F.adaptive_avg_pool2d(crop, cut_size)
        else:
            crop = F.interpolate(crop, size=(cut_size, cut_size), mode="bilinear", align_corners=False)
        crops.append(crop)
    return torch.cat(crops)


def augment(crops, generator):
    """Light, seeded augmentations: horizontal flips, small rotation/zoom/shift, colour jitter, noise."""
    import torch  # noqa: PLC0415
    import torch.nn.functional as F  # noqa: PLC0415, N812

    n, device = crops.shape[0], crops.device

    def uniform(*shape, spread: float):  # in [-spread, spread], drawn on the CPU for reproducibility
        return ((torch.rand(*shape, generator=generator) * 2 - 1) * spread).to(device)

    flip = (torch.rand(n, generator=generator) < 0.5).to(device).view(n, 1, 1, 1)
    crops = torch.where(flip, crops.flip(3), crops)

    angle = uniform(n, spread=math.radians(10))
    zoom = 1 + uniform(n, spread=0.05)
    shift = uniform(n, 2, spread=0.05)
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack([
        torch.stack([cos, -sin, shift[:, 0]], dim=1),
        torch.stack([sin, cos, shift[:, 1]], dim=1),
    ], dim=1)
    grid = F.affine_grid(theta, list(crops.shape), align_corners=False)
    crops = F.grid_sample(crops, grid, mode="bilinear", padding_mode="reflection", align_corners=False)

    brightness = uniform(n, 1, 1, 1, spread=0.08)
    contrast = 1 + uniform(n, 1, 1, 1, spread=0.1)
    saturation = 1 + uniform(n, 1, 1, 1, spread=0.1)
    grey = crops.mean(dim=1, keepdim=True)
    crops = grey + (crops - grey) * saturation
    mean = crops.mean(dim=(1, 2, 3), keepdim=True)
    crops = (crops - mean) * contrast + mean + brightness
    noise = torch.randn(crops.shape, generator=generator).to(device) * uniform(n, 1, 1, 1, spread=0.03).abs()
    return (crops + noise).clamp(0, 1)


def spherical_distance(a, b):
    """Squared great-circle distance between unit vectors (rows of a against the single row of b)."""
    return (a - b).norm(dim=-1).div(2).clamp(max=1).arcsin().pow(2).mul(2)


# ---------------------------------------------------------------------------------------------
# Prompt and pictures
# ---------------------------------------------------------------------------------------------


def picture_prompt(scene: Scene, context: IllustrationContext, members=()) -> str:
    """The scene's prompt (or its text, or the title), the sheet's words for ``members`` (the characters it
    shows), and the genre's style words."""
    return styled_prompt(described(scene.prompt or scene.text or context.title or "", list(members)), context.genre)


def load_picture(path: str | Path, width: int, height: int) -> Image.Image:
    """The start picture, decoded here in the worker (never in the web process) at about the size needed."""
    path = Path(path)
    if not path.is_file():
        raise OptionError(f"illustration/vqgan_clip: init_image {str(path)!r} does not exist")
    try:
        with Image.open(path) as img:
            if img.width * img.height > MAX_INIT_PIXELS:
                raise OptionError(f"illustration/vqgan_clip: init_image is {img.width}×{img.height}, "
                                  f"over {MAX_INIT_PIXELS // 10**6} Mpx")
            img.draft("RGB", (width * 2, height * 2))  # a JPEG decodes at a fraction of its size
            return cover(img, width, height)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise OptionError("Начальная картинка повреждена или это не картинка: загрузите другую.") from exc


def latent_path(out_png: Path) -> Path:
    """Where the latent of the picture ``out_png`` is saved: beside it (picture-3-v2.part.png: …part.pt)."""
    return Path(out_png).with_suffix(".pt")


def save_latent(z, model: str, path: Path) -> Path:
    """A picture's quantised latent (1, embed_dim, rows, columns) and the VQGAN that decodes it, as a .pt file."""
    import torch  # noqa: PLC0415

    torch.save({"z": z.detach().to("cpu", torch.float32).contiguous(), "model": model}, path)
    return path


def read_latent(path: Path) -> tuple[Any, str]:
    """(z, model) of a latent saved by ``save_latent``; only tensors and strings are unpickled."""
    import torch  # noqa: PLC0415

    data = torch.load(path, map_location="cpu", weights_only=True)
    return data["z"], str(data["model"])


def to_uint8(image) -> np.ndarray:
    """A (3, H, W) tensor in [0, 1] as an (H, W, 3) uint8 array."""
    return (image.clamp(0, 1).mul(255).round().byte().permute(1, 2, 0).cpu().numpy()).copy()
