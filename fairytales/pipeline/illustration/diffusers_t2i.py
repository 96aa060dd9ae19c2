"""Illustrations from a text-to-image diffusion model through diffusers (Kandinsky 2.1, Stable Diffusion…).

Whatever pipeline the model folder describes is loaded with ``AutoPipelineForText2Image`` (falling back to
``DiffusionPipeline``), so Kandinsky 2.1, which reads Russian, and Stable Diffusion checkpoints both work.
The prompt is the scene's prompt plus a style suffix for the tale's genre. The model draws at a modest size
(768x432 by default, the video's 16:9) and the picture is then scaled and centre-cropped to cover the
video's frame exactly: no letterbox bars.

Noise comes from a CPU generator seeded per scene (the tale's seed + the scene's number), so a scene is
redrawn the same on any device, and different scenes differ.

torch and diffusers are imported only when the model loads, so listing backends stays cheap.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from ..backend import SEED, BackendUnavailable, Option, first_line, torch_dtype
from ..notes import Note
from ..types import ProgressCallback, Scene, no_progress
from . import STILL, IllustrationContext, Illustrator, cover, shaped, styled_prompt

INSTALL_HINT = "pip install -r requirements/neural.txt"
SIZE_MULTIPLE = 8  # latent pixels: Stable Diffusion needs multiples of 8; Kandinsky rounds up to 64 itself

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
    )

    def __init__(self, model: str | None = None, device: str | None = None):
        super().__init__(model, device)
        self._pipe = None

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
        prompt = styled_prompt(scene.prompt, context.genre)

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
        call.update(step_callback(self._pipe, report))
        image = self._pipe(**call).images[0]

        out_png = Path(out_png)
        out_png.parent.mkdir(parents=True, exist_ok=True)
        cover(image, context.width, context.height).save(out_png, format="PNG")
        progress(1.0, Note("Иллюстрация готова"))
        return {"prompt": prompt, "steps": steps, "seed": seed, "model": self.model,
                "size": [call["width"], call["height"]]}


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
