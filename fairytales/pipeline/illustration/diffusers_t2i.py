"""Illustrations from a text-to-image diffusion model through diffusers (Kandinsky 2.1, Stable Diffusion…).

Whatever pipeline the model folder describes is loaded with ``AutoPipelineForText2Image`` (falling back to
``DiffusionPipeline``), so Kandinsky 2.1, which reads Russian, and Stable Diffusion checkpoints both work.
The prompt is the scene's prompt plus a style suffix for the tale's genre. The model draws at a modest size
(768x432 by default, the video's 16:9) and the picture is then scaled and centre-cropped to cover the
video's frame exactly: no letterbox bars.

The character sheet (pipeline/cast.py) keeps the hero the same: each main character's reference picture is
drawn once from their description (``reference``), and every scene that names them is drawn from it: through
an IP-Adapter (``ip_adapter_image``) when ``MODEL_ILLUSTRATION_IP_ADAPTER`` names its weights (a folder with
the adapter's file and its ``image_encoder/``) for a Stable-Diffusion-family pipeline, else as the start
picture of the same model's image-to-image pipeline. The scene's prompt carries their descriptions too.

Noise comes from a CPU generator seeded per scene (the tale's seed + the scene's number), so a scene is
redrawn the same on any device, and different scenes differ.

torch and diffusers are imported only when the model loads, so listing backends stays cheap.
"""

from __future__ import annotations

import inspect
import math
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..backend import SEED, BackendUnavailable, Option, first_line, torch_dtype
from ..cast import described, shown_in
from ..notes import Note
from ..types import ProgressCallback, Scene, no_progress
from . import SHOTS, STILL, IllustrationContext, Illustrator, cover, shaped, styled_prompt

INSTALL_HINT = "pip install -r requirements/neural.txt"
SIZE_MULTIPLE = 8  # latent pixels: Stable Diffusion needs multiples of 8; Kandinsky rounds up to 64 itself
IP_ADAPTER_SETTING = "MODEL_ILLUSTRATION_IP_ADAPTER"  # a folder: the adapter's weights and image_encoder/

def dtype_keyword() -> str:
    """diffusers renamed ``torch_dtype`` to ``dtype`` (and warns on the old name); older releases know only
    the old one, and would silently load fp32 weights given the new one."""
    from diffusers.utils import deprecation_utils  # noqa: PLC0415

    return "dtype" if hasattr(deprecation_utils, "_resolve_dtype") else "torch_dtype"


def snap(size: int) -> int:
    """The nearest size the pipeline takes (a positive multiple of SIZE_MULTIPLE)."""
    return max(SIZE_MULTIPLE, round(size / SIZE_MULTIPLE) * SIZE_MULTIPLE)


class DiffusersIllustrator(Illustrator):
    name = "diffusers"
    label = "Diffusers (Kandinsky 2.1 / Stable Diffusion)"
    default_model = "kandinsky-community/kandinsky-2-1"
    requires = ("torch", "diffusers", "transformers")
    weights_marker = "model_index.json"
    device_need = "gpu"
    declared_options = (
        Option("steps", 25, "Шагов диффузии", min=1, max=200),
        Option("guidance", 7.5, "Следование тексту (guidance)", min=0.0, max=30.0),
        Option("width", 768, "Ширина", min=8, max=2048),
        Option("height", 432, "Высота", min=8, max=2048),
        SEED,  # None: the tale's seed + the scene's
        Option("negative_prompt", "", "Чего не рисовать"),
        STILL,
        SHOTS,
        # how strongly a character's reference picture steers a scene that shows them
        Option("reference_strength", 0.6, "Сходство героя с его образцом", min=0.0, max=1.0),
    )

    def __init__(self, model: str | None = None, device: str | None = None):
        super().__init__(model, device)
        self._pipe = None
        self._from_reference = None  # the pipeline that draws from a reference picture, made on first use
        self._adapter = False  # an IP-Adapter is loaded into the pipeline

    # -- loading ---------------------------------------------------------------------------------

    @classmethod
    def work(cls, options: dict, pictures: int) -> float:
        return float(options["width"] * options["height"] * options["steps"] * pictures)

    def load(self) -> None:
        """The pipeline, once. Offline (or for a folder) nothing is fetched, so a missing model fails at once
        with the one line that says how to get it."""
        try:
            import diffusers  # noqa: PLC0415
        except ImportError as exc:
            raise BackendUnavailable(f"{self.stage}/{self.name}: {exc} ({INSTALL_HINT})") from exc
        model_id, only_local = self.weights_source("no model_index.json there")
        kwargs = {dtype_keyword(): torch_dtype(self.device), "local_files_only": only_local}
        try:
            try:
                pipe = diffusers.AutoPipelineForText2Image.from_pretrained(model_id, **kwargs)
            except ValueError as exc:  # a pipeline AutoPipeline has no text-to-image mapping for
                if "AutoPipeline" not in str(exc):
                    raise
                pipe = diffusers.DiffusionPipeline.from_pretrained(model_id, **kwargs)
        except (OSError, ValueError, KeyError) as exc:  # missing files, bad repo id, unknown pipeline
            raise self.missing_weights(first_line(exc)) from exc
        pipe.to(self.device)
        pipe.set_progress_bar_config(disable=True)  # progress goes to the callback, not to stderr
        self._pipe = pipe

    # -- drawing ---------------------------------------------------------------------------------

    def draw(
        self,
        scene: Scene,
        context: IllustrationContext,
        out_png: Path,
        options: dict,
        progress: ProgressCallback = no_progress,
    ) -> dict:
        self.ensure_loaded()
        import torch  # noqa: PLC0415

        options = self.options(options)
        seed = context.seed + scene.index if options["seed"] is None else options["seed"]
        steps = max(1, options["steps"])
        members = shown_in(context.cast, scene, context.language)  # the sheet's characters the scene names
        prompt = styled_prompt(described(scene.prompt, members), context.genre)

        def report(step: int, total: int | None = None) -> None:
            total = max(total or steps, step)
            progress(step / total, Note("Шаг {step} из {total}", step=step, total=total))

        call: dict[str, Any] = {
            "prompt": prompt,
            "num_inference_steps": steps,
            "guidance_scale": options["guidance"],
            **dict(zip(("width", "height"), map(snap, shaped(options["width"], options["height"], context)))),
            "generator": torch.Generator(device="cpu").manual_seed(seed),
        }
        if options["negative_prompt"]:
            call["negative_prompt"] = options["negative_prompt"]
        reference = next((m.reference for m in members if m.reference is not None and m.reference.is_file()), None)
        pipe, size = self._pipe, [call["width"], call["height"]]
        if reference is not None:
            pipe = self._reference_pipe()
            call.update(self._reference_arguments(pipe, reference, options["reference_strength"], call))
        elif self._adapter:  # the adapter is in the pipeline: a picture of no character takes nothing from it
            from PIL import Image  # noqa: PLC0415

            pipe.set_ip_adapter_scale(0.0)
            call["ip_adapter_image"] = Image.new("RGB", (64, 64))
        call.update(step_callback(pipe, report))
        image = pipe(**call).images[0]

        out_png = Path(out_png)
        out_png.parent.mkdir(parents=True, exist_ok=True)
        cover(image, context.width, context.height).save(out_png, format="PNG")
        progress(1.0, Note("Иллюстрация готова"))
        drawn = {"prompt": prompt, "steps": steps, "seed": seed, "model": self.model,
                 "size": size}
        if reference is not None:
            drawn["reference"] = reference.name
        return drawn

    def reference(self, member, context: IllustrationContext, out_png: Path, options: dict,
                  progress: ProgressCallback = no_progress) -> dict:
        """The character alone, from their description and their own seed."""
        portrait = Scene(index=0, text=member.description, prompt=member.description)
        return self.draw(portrait, replace(context, cast=[]), out_png, {**options, "seed": member.seed}, progress)

    def _reference_pipe(self):
        """The pipeline that takes a reference picture: this one with an IP-Adapter where one is configured
        (and the pipeline can load it), else the same model's image-to-image pipeline (the same weights)."""
        if self._from_reference is None:
            adapter = os.environ.get(IP_ADAPTER_SETTING, "").strip()
            if adapter and hasattr(self._pipe, "load_ip_adapter"):
                folder = Path(adapter)
                files = sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin"))
                weights = files[0].name if files else None
                if weights is None:
                    raise self.missing_weights(f"{IP_ADAPTER_SETTING}: no adapter weights in {folder}")
                self._pipe.load_ip_adapter(str(folder), subfolder="", weight_name=weights,
                                           image_encoder_folder="image_encoder", local_files_only=True)
                self._adapter, self._from_reference = True, self._pipe
            else:
                from diffusers import AutoPipelineForImage2Image  # noqa: PLC0415

                self._from_reference = AutoPipelineForImage2Image.from_pipe(self._pipe)
                self._from_reference.set_progress_bar_config(disable=True)
        return self._from_reference

    def _reference_arguments(self, pipe, reference: Path, strength: float, call: dict) -> dict[str, Any]:
        """The call's arguments that hand ``pipe`` the reference picture (an image-to-image pipeline takes
        the picture's size, and denoises only the last ``1 - strength / 2`` of the steps: at least one)."""
        from PIL import Image  # noqa: PLC0415

        with Image.open(reference) as opened:
            picture = opened.convert("RGB")
        if self._adapter:
            pipe.set_ip_adapter_scale(strength)
            return {"ip_adapter_image": picture}
        width, height = call["width"], call["height"]
        if "width" not in inspect.signature(pipe.__call__).parameters:  # Stable Diffusion's: the picture's size
            del call["width"], call["height"]
        denoise = max(0.05, 1.0 - strength / 2)  # at most half the reference: the scene must still be drawn
        steps = max(call["num_inference_steps"], math.ceil(1 / denoise))
        return {"image": cover(picture, width, height), "strength": denoise, "num_inference_steps": steps}


def step_callback(pipe, report) -> dict[str, Any]:
    """The keyword that makes ``pipe`` call ``report(step, total)`` after each denoising step: the modern
    ``callback_on_step_end`` (Stable Diffusion) or the older ``callback`` (Kandinsky 2.1's combined
    pipeline, where only the decoder's steps are reported, not the prior's). Some schedulers take more
    timesteps than asked for (PNDM's warm-up): the total is the pipeline's own count when it tells it."""
    parameters = inspect.signature(pipe.__call__).parameters
    if "callback_on_step_end" in parameters:
        def on_step_end(running, step, _timestep, tensors):
            report(step + 1, getattr(running, "num_timesteps", None))
            return tensors

        return {"callback_on_step_end": on_step_end}
    if "callback" in parameters:
        return {"callback": lambda step, _timestep, _latents: report(step + 1), "callback_steps": 1}
    return {}
