"""Loading VQGAN+CLIP's three models from their folder: the taming-transformers VQGAN, the multilingual
(M-CLIP) text encoder and the CLIP image encoder, each checked against the others, frozen, on a device.

Released checkpoints need care (see docs/stack.md): taming imports a module Lightning 2 removed, its
checkpoints were pickled by Lightning 1, and multilingual-clip's own loader fails on transformers 5.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import json
import sys
import types
from pathlib import Path

from ..backend import BackendUnavailable

# OpenAI CLIP's normalisation, used when clip/preprocessor_config.json does not give its own
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
TAMING_TARGETS = ("taming.models.vqgan.VQModel", "taming.models.vqgan.GumbelVQ")


def _unavailable(what: str) -> BackendUnavailable:
    return BackendUnavailable(f"illustration/vqgan_clip: {what}")


def _frozen(module, device: str):
    module.to(device).eval()
    module.requires_grad_(False)
    return module


@contextlib.contextmanager
def _quiet_transformers():
    """transformers' warnings and load reports, silenced for a while."""
    from transformers.utils import logging as hf_logging  # noqa: PLC0415

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)


def _lightning_shim() -> None:
    """taming imports ``pytorch_lightning.utilities.distributed``, which Lightning 2 no longer has."""
    name = "pytorch_lightning.utilities.distributed"
    if name in sys.modules:
        return
    try:
        importlib.import_module(name)
    except ImportError:
        from pytorch_lightning.utilities.rank_zero import rank_zero_only  # noqa: PLC0415

        shim = types.ModuleType(name)
        shim.rank_zero_only = rank_zero_only
        sys.modules[name] = shim


def _read_state_dict(path: Path) -> dict:
    """A plain state dict (.bin/.pt/.ckpt or .safetensors); Lightning checkpoints give their "state_dict"."""
    import torch  # noqa: PLC0415

    if path.suffix == ".safetensors":
        from safetensors.torch import load_file  # noqa: PLC0415

        return load_file(str(path))
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 - Lightning 1 checkpoints pickle callbacks and hyper-parameters
        data = torch.load(path, map_location="cpu", weights_only=False)
    if isinstance(data, dict) and isinstance(data.get("state_dict"), dict):
        data = data["state_dict"]
    if not isinstance(data, dict):
        raise _unavailable(f"{path} holds no state dict")
    return data


def load_vqgan(config_path: Path, ckpt_path: Path, device: str):
    """The taming VQModel/GumbelVQ from its yaml and Lightning checkpoint; and its downsampling factor."""
    from omegaconf import OmegaConf  # noqa: PLC0415

    config = OmegaConf.load(config_path)
    config = config.model if "model" in config else config
    target = str(config.get("target", ""))
    if target not in TAMING_TARGETS:
        known = ", ".join(TAMING_TARGETS)
        raise _unavailable(f"{config_path}: model.target {target!r} is not one of {known}")
    params = OmegaConf.to_container(config.params, resolve=True)
    params.pop("ckpt_path", None)
    params["lossconfig"] = {"target": "taming.modules.losses.vqperceptual.DummyLoss"}
    _lightning_shim()
    module_name, _, class_name = target.rpartition(".")
    cls = getattr(importlib.import_module(module_name), class_name)
    with contextlib.redirect_stdout(io.StringIO()):  # taming prints the latent's shape
        model = cls(**params)
    state = {k: v for k, v in _read_state_dict(ckpt_path).items() if not k.startswith("loss.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise _unavailable(
            f"{ckpt_path} does not fit {config_path}: missing {missing[:3]}, unexpected {unexpected[:3]}"
        )
    factor = 2 ** (len(params["ddconfig"]["ch_mult"]) - 1)
    return _frozen(model, device), factor


def xlm_roberta_config(state: dict):
    """The XLM-R config of M-CLIP's transformer, read off its weights (the heads: one per 64 dims)."""
    from transformers import XLMRobertaConfig  # noqa: PLC0415

    vocab, hidden = state["transformer.embeddings.word_embeddings.weight"].shape
    layers = 1 + max(int(k.split(".")[3]) for k in state if k.startswith("transformer.encoder.layer."))
    return XLMRobertaConfig(
        vocab_size=vocab,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=max(1, hidden // 64),
        intermediate_size=state["transformer.encoder.layer.0.intermediate.dense.weight"].shape[0],
        max_position_embeddings=state["transformer.embeddings.position_embeddings.weight"].shape[0],
        type_vocab_size=state["transformer.embeddings.token_type_embeddings.weight"].shape[0],
        layer_norm_eps=1e-5,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )


def load_text_encoder(folder: Path, device: str):
    """M-CLIP built without its from_pretrained (which fails on transformers 5): a module with the same
    parameter names (``transformer``, ``LinearTransformation``), its weights, and its tokenizer."""
    import torch  # noqa: PLC0415
    from transformers import AutoConfig, AutoModel, AutoTokenizer, XLMRobertaTokenizer  # noqa: PLC0415

    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    weights = folder / "pytorch_model.bin"
    state = _read_state_dict(weights if weights.is_file() else folder / "model.safetensors")
    if not {"LinearTransformation.weight", "transformer.embeddings.word_embeddings.weight"} <= set(state):
        raise _unavailable(f"{folder}: the weights are not an M-CLIP text encoder")
    base = folder / "base_config.json"
    if base.is_file():
        base_config = json.loads(base.read_text(encoding="utf-8"))
        base_config = AutoConfig.for_model(base_config.pop("model_type", "xlm-roberta"), **base_config)
    else:
        base_config = xlm_roberta_config(state)
    out_dims, in_dims = state["LinearTransformation.weight"].shape
    if config.get("numDims", out_dims) != out_dims or config.get("transformerDimensions", in_dims) != in_dims:
        raise _unavailable(f"{folder}: config.json's numDims/transformerDimensions do not fit the weights")
    encoder = torch.nn.ModuleDict({
        "transformer": AutoModel.from_config(base_config),
        "LinearTransformation": torch.nn.Linear(in_dims, out_dims),
    })
    own = encoder.state_dict()
    state = {k: v for k, v in state.items() if k in own or not k.endswith("position_ids")}
    missing, unexpected = encoder.load_state_dict(state, strict=False)
    missing = [k for k in missing if ".pooler." not in k]  # the pooler is not used
    if missing or unexpected:
        raise _unavailable(
            f"{folder}: the weights do not fit: missing {missing[:3]}, unexpected {unexpected[:3]}"
        )
    with _quiet_transformers():  # config.json's model_type "M-CLIP" is unknown to the auto classes
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        except (OSError, ValueError, KeyError):
            try:
                tokenizer = XLMRobertaTokenizer.from_pretrained(str(folder), local_files_only=True)
            except Exception as exc:  # noqa: BLE001 - e.g. only sentencepiece.bpe.model, no sentencepiece
                why = " ".join(str(exc).split())[:120]
                raise _unavailable(
                    f"{folder}: its tokenizer does not load ({type(exc).__name__}: {why}); a tokenizer.json, "
                    "or the sentencepiece package for sentencepiece.bpe.model, is needed"
                ) from exc
    max_length = min(512, getattr(base_config, "max_position_embeddings", 514) - 2)
    return tokenizer, _frozen(encoder, device), max_length


def load_image_encoder(folder: Path, device: str):
    """CLIP's vision tower with its projection; its input size and normalisation."""
    from transformers import CLIPVisionModelWithProjection  # noqa: PLC0415

    with _quiet_transformers():  # a full CLIPModel's text weights are "unexpected": expected here
        model, info = CLIPVisionModelWithProjection.from_pretrained(
            str(folder), local_files_only=True, output_loading_info=True
        )
    if info.get("missing_keys"):
        raise _unavailable(f"{folder}: not a CLIP image encoder (missing {sorted(info['missing_keys'])[:3]})")
    mean, std = CLIP_MEAN, CLIP_STD
    processor = folder / "preprocessor_config.json"
    if processor.is_file():
        settings = json.loads(processor.read_text(encoding="utf-8"))
        mean = tuple(settings.get("image_mean") or mean)
        std = tuple(settings.get("image_std") or std)
    return _frozen(model, device), int(model.config.image_size), mean, std
