"""What every stage backend shares: a name, the options it takes, lazy model loading."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

REPO_ROOT = Path(__file__).resolve().parents[2]
MODELS_DIR = REPO_ROOT / "models"  # weights the project ships, and where fetch_models and training put them


def var_dir() -> Path:
    """The folder for what the site makes at run time (VIDEOTALES_VAR, as in the Django settings)."""
    return Path(os.environ.get("VIDEOTALES_VAR") or REPO_ROOT / "var")


class BackendUnavailable(RuntimeError):
    """A backend cannot run here: its weights or its library are missing. The message says how to fix it."""


class OptionError(ValueError):
    """An option the backend does not take, or a value it cannot use."""


_FALSE_WORDS = {"false", "0", "no", "off", ""}
_TRUE_WORDS = {"true", "1", "yes", "on"}


@dataclass(frozen=True)
class Option:
    """One option a backend takes, declared once: its type, bounds and default, and the label a form shows.

    ``form`` marks the options a participant may set per tale in the submit form's advanced part; the
    others are for the command line, redo and tests. A ``None`` default means "the backend decides"
    (a seed derived from the tale's, the model's own length …) and is always accepted.
    """

    name: str
    default: Any
    label: str = ""
    kind: type | None = None  # int, float, bool, str, list; taken from the default when not given
    min: float | None = None
    max: float | None = None
    choices: tuple[Any, ...] | None = None
    form: bool = False
    presets: tuple[Any, ...] = ()  # values a form offers where any value within the bounds is accepted
    upload: bool = False  # a picture the user uploads; the option holds the path the site stored it at

    @property
    def type(self) -> type | None:
        if self.kind is not None:
            return self.kind
        return None if self.default is None else type(self.default)

    def check(self, value: Any, owner: str = "") -> Any:
        """``value`` as this option's type, within its bounds and choices; else an OptionError."""
        where = f"{owner}: " if owner else ""
        if value is None:
            return None
        kind = self.type
        try:
            if kind is bool:
                if isinstance(value, str):
                    word = value.strip().lower()
                    if word not in _FALSE_WORDS | _TRUE_WORDS:
                        raise ValueError(f"not a yes or no: {value!r}")
                    value = word in _TRUE_WORDS
                value = bool(value)
            elif kind is int and isinstance(value, float) and not value.is_integer():
                raise ValueError(f"not a whole number: {value!r}")
            elif kind in (list, tuple):
                if isinstance(value, str):  # "512x288", "512,288"
                    value = value.lower().replace("×", "x").replace(",", "x").split("x")
                value = kind(_number(part) for part in value)
            elif kind is not None and not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                value = kind(value)
        except (TypeError, ValueError) as exc:
            raise OptionError(f"{where}option {self.name}={value!r}: {exc}") from exc
        numbers = value if isinstance(value, (list, tuple)) else [value]
        for number in numbers:
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                continue
            if self.min is not None and number < self.min:
                raise OptionError(f"{where}option {self.name}={value!r} is below {self.min}")
            if self.max is not None and number > self.max:
                raise OptionError(f"{where}option {self.name}={value!r} is above {self.max}")
        if self.choices is not None and value not in self.choices:
            known = ", ".join(map(str, self.choices))
            raise OptionError(f"{where}option {self.name}={value!r} is not one of {known}")
        return value


# Every backend's seed: None lets the runner derive it from the tale's own seed and the scene.
SEED = Option("seed", None, "Зерно", kind=int, min=0, max=2**31 - 1)


def _number(text: Any) -> int | float:
    """A list option's element: an int where it is one («512»), else a float."""
    if isinstance(text, (int, float)):
        return text
    value = float(text)
    return int(value) if value.is_integer() else value


class Backend:
    stage: ClassVar[str] = ""
    name: ClassVar[str] = ""
    label: ClassVar[str] = ""  # shown to users
    declared_options: ClassVar[tuple[Option, ...]] = ()
    defaults: ClassVar[dict[str, Any]] = {}  # {option: default}, made from declared_options
    default_model: ClassVar[str | None] = None  # hub id or path, for neural backends
    requires: ClassVar[tuple[str, ...]] = ()  # modules it imports (torch, transformers, …)
    weights_marker: ClassVar[str | None] = None  # a file a local weights folder must hold (config.json, …)
    # What it needs to run in reasonable time: "gpu" (a big neural model) or "cpu". A run goes to the worker
    # cluster that serves the heaviest need among its backends (registry.run_need, GPU_CLUSTER/CPU_CLUSTER).
    device_need: ClassVar[str] = "cpu"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.defaults = {option.name: option.default for option in cls.declared_options}

    def __init__(self, model: str | None = None, device: str | None = None):
        self.model = model or self.default_model
        self._device = device
        self._loaded = False

    @property
    def device(self) -> str:
        """"cuda" when there is one, else "cpu"; asked only when a model loads (torch is optional)."""
        if self._device is None:
            self._device = default_device()
        return self._device

    @classmethod
    def option(cls, name: str) -> Option:
        for option in cls.declared_options:
            if option.name == name:
                return option
        raise OptionError(f"{cls.stage}/{cls.name}: no option {name!r}")

    def options(self, given: dict[str, Any] | None = None) -> dict[str, Any]:
        """The defaults overlaid with ``given``, each checked against its declaration; unknown names are
        an error, not a silent no-op."""
        given = dict(given or {})
        unknown = sorted(set(given) - set(self.defaults))
        if unknown:
            raise OptionError(f"{self.stage}/{self.name}: unknown option(s) {', '.join(unknown)}")
        merged = dict(self.defaults)
        for key, value in given.items():
            merged[key] = self.option(key).check(value, f"{self.stage}/{self.name}")
        return merged

    def ensure_loaded(self) -> None:
        """Load weights once per process, on first use (never in the django-q parent)."""
        if not self._loaded:
            self.load()
            self._loaded = True

    def load(self) -> None:
        """Neural backends load their weights here; offline ones need nothing."""

    def available(self) -> tuple[bool, str]:
        """Whether this backend can run here, and if not, why (one line). Cheap: loads nothing."""
        for module in self.requires:
            if importlib.util.find_spec(module) is None:
                return False, (f"{self.stage}/{self.name}: the Python package {module!r} is not installed "
                               "(pip install -r requirements/neural.txt)")
        if self.model is None:
            return True, ""
        if is_local_path(self.model):
            folder = Path(self.model).expanduser()
            if not folder.exists():
                return False, str(self.missing_weights("no such file or folder"))
            if self.weights_marker and folder.is_dir() and not (folder / self.weights_marker).is_file():
                return False, str(self.missing_weights(f"no {self.weights_marker} there"))
            return True, ""
        if not weights_present(self.model):
            return False, str(self.missing_weights("not in the Hugging Face cache"))
        return True, ""

    def weights_source(self, detail: str = "no such folder") -> tuple[str, bool]:
        """Where ``from_pretrained`` loads this backend's weights from, and whether it may only look locally:
        a folder (which must hold ``weights_marker``, else the one-line error) or a hub id (looked up in the
        local cache only when the hub is off)."""
        if is_local_path(self.model):
            folder = Path(self.model).expanduser()
            if self.weights_marker and not (folder / self.weights_marker).is_file():
                raise self.missing_weights(detail)
            return str(folder), True
        return self.model, hub_offline()

    @classmethod
    def model_setting(cls) -> str:
        """The environment variable (and Django setting key) that names this backend's weights."""
        return f"MODEL_{cls.stage}_{cls.name}".upper().replace("-", "_")

    def missing_weights(self, detail: str = "") -> BackendUnavailable:
        """The one line a user reads when the weights are not here: what, which setting, which command."""
        where = f" ({detail})" if detail else ""
        return BackendUnavailable(
            f"{self.stage}/{self.name}: weights {self.model!r} not found{where}; set {self.model_setting()} "
            f"to a local folder or run `python manage.py fetch_models --stage {self.stage}`"
        )


def is_local_path(model: str) -> bool:
    """Weights named by a path, not by a hub id like «ai-forever/rugpt3small_based_on_gpt2»."""
    return Path(model).expanduser().exists() or model.startswith(("/", ".", "~")) or model.count("/") != 1


def hub_offline() -> bool:
    """The Hugging Face hub is not to be asked (HF_HUB_OFFLINE, or the transformers or diffusers flag)."""
    return any(os.environ.get(flag, "").strip().lower() in _TRUE_WORDS
               for flag in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "DIFFUSERS_OFFLINE"))


def first_line(exc: BaseException) -> str:
    """What a user reads of an error: its first line, at most 200 characters, or else its type."""
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def weights_present(model: str) -> bool:
    """A local file or folder, or a hub id whose whole snapshot is in the local Hugging Face cache."""
    if is_local_path(model):
        return Path(model).expanduser().exists()
    try:
        from huggingface_hub import snapshot_download  # noqa: PLC0415

        snapshot_download(model, local_files_only=True)
        return True
    except Exception:  # noqa: BLE001 - no cache, no hub library, an incomplete snapshot: not present
        return False


def torch_dtype(device: str):
    """fp16 on a GPU, fp32 on a CPU (half precision is slow or unsupported there)."""
    import torch  # noqa: PLC0415

    return torch.float16 if device.startswith("cuda") else torch.float32


def default_device() -> str:
    forced = os.environ.get("VIDEOTALES_DEVICE")
    if forced:
        return forced
    try:
        import torch  # noqa: PLC0415 - torch is optional and heavy

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        return "cpu"
