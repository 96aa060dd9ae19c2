"""Fine-tune a causal language model on tales, so that the ruGPT-3 storyteller writes like them.

    from fairytales.pipeline.story.training import TrainingConfig, train_story
    card = train_story(TrainingConfig(data="tales.jsonl", output="models/story/my-tales", steps=500))

The data is a JSONL, JSON or CSV file of tales (``title``, ``text``, optional ``genre`` and ``likes``; a
``min_likes`` filter keeps the liked ones, as the seed kept Ficbook stories with at least 100 likes) or a
folder of ``.txt`` files, each a title line, optionally a «Жанр: …» line, then the text.

Each tale becomes one or more training windows in the storyteller's conditional form («Имя: {title}. Жанр:
{genre}. Текст: {story}», ``transformers_lm.prompt_for``): the prompt's tokens are labelled -100, so the
loss is on the story alone, and a story longer than a window is cut into several, each starting with the
prompt again. Whole tales are held out (``heldout``, at least one) and their loss and perplexity are reported
before training, every ``eval_every`` steps and after.

Training is transformers' ``Trainer``: full fine-tuning or LoRA (peft), bf16 or fp16 on a GPU, gradient
accumulation, checkpoints in a folder it resumes from. The result is a folder in the released layout
(config.json, weights and tokenizer; for LoRA adapter_config.json and the adapter, naming its base model)
that ``CausalLMStoryteller`` loads as it is, with ``training_card.json`` beside the weights: the data, the
steps, the held-out loss before and after, the base model.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import torch
from tqdm.auto import tqdm
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    PrinterCallback,
    ProgressCallback,
    Trainer,
    TrainerCallback,
    TrainingArguments,
)

from ..backend import default_device, hub_offline, is_local_path, var_dir
from .dataset import Tale, read_tales, split_heldout
from .models import CARD_NAME, STORY_MODELS_DIR  # noqa: F401 - the command's default folder
from .transformers_lm import ADAPTER_CONFIG, model_context, prompt_for

DEFAULT_BASE = "ai-forever/rugpt3small_based_on_gpt2"
IGNORE = -100  # the label of a token that carries no loss
MIN_ROOM = 16  # a window must leave at least this many story tokens after the prompt
SAMPLES = "samples.txt"
Log = Callable[[str], None]


# --- windows ---------------------------------------------------------------------------------------


def tale_windows(tokenizer, tale: Tale, max_length: int) -> list[dict]:
    """``tale`` as training windows of at most ``max_length`` tokens, each the prompt then a stretch of
    the story (the last one ends with end-of-text), labelled -100 over the prompt. A short last stretch is
    moved back to fill its window. [] when the prompt leaves no room."""
    prompt = tokenizer(prompt_for(tale.title, tale.genre))["input_ids"]
    story = tokenizer(" " + tale.text, add_special_tokens=False)["input_ids"]
    if tokenizer.eos_token_id is not None:
        story = story + [tokenizer.eos_token_id]
    room = max_length - len(prompt)
    if room < MIN_ROOM or not story:
        return []
    starts = list(range(0, len(story), room))
    if len(starts) > 1 and len(story) - starts[-1] < room // 2:
        starts[-1] = len(story) - room
    return [{"input_ids": prompt + story[s : s + room], "labels": [IGNORE] * len(prompt) + story[s : s + room]}
            for s in starts]


class Windows(torch.utils.data.Dataset):
    def __init__(self, windows: list[dict]):
        self.windows = windows

    def __len__(self) -> int:
        return len(self.windows)

    def __getitem__(self, index: int) -> dict:
        return self.windows[index]


@dataclass
class Collator:
    """Pads a batch of windows on the right: ``pad_id`` in the inputs, -100 in the labels, 0 in the mask."""

    pad_id: int

    def __call__(self, features: list[dict]) -> dict[str, torch.Tensor]:
        longest = max(len(f["input_ids"]) for f in features)
        ids, labels, mask = [], [], []
        for f in features:
            gap = longest - len(f["input_ids"])
            ids.append(list(f["input_ids"]) + [self.pad_id] * gap)
            labels.append(list(f["labels"]) + [IGNORE] * gap)
            mask.append([1] * len(f["input_ids"]) + [0] * gap)
        return {"input_ids": torch.tensor(ids), "labels": torch.tensor(labels), "attention_mask": torch.tensor(mask)}


def evenly(items: list, limit: int | None) -> list:
    """At most ``limit`` of ``items``, spread evenly over them (the same ones every time)."""
    if not limit or len(items) <= limit:
        return items
    return [items[i * len(items) // limit] for i in range(limit)]


# --- training --------------------------------------------------------------------------------------


@dataclass
class TrainingConfig:
    data: str | Path
    output: str | Path
    base_model: str = DEFAULT_BASE
    min_likes: int | None = None
    genre: str | None = None  # for tales that name none
    heldout: float = 0.1  # the share of tales held out (at least one)
    max_eval_windows: int | None = 200  # held-out windows evaluated, spread over the held-out tales
    max_length: int = 512  # tokens a window (at most the model's context)
    steps: int = 1000  # optimizer steps; ignored when epochs is given
    epochs: float | None = None
    batch_size: int = 4
    grad_accum: int = 4
    learning_rate: float | None = None  # default: 5e-5 full, 2e-4 LoRA
    warmup_steps: int | None = None  # default: a tenth of the steps, at most 100
    weight_decay: float = 0.01
    eval_every: int = 100
    save_every: int = 100
    log_every: int = 10
    keep_checkpoints: int = 2
    lora: bool = False
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    lora_targets: list[str] | None = None  # default: peft's for the architecture, else every linear layer
    precision: str = "auto"  # auto (bf16 or fp16 on a GPU, fp32 on a CPU), fp32, fp16, bf16
    device: str | None = None  # default: cuda when there is one
    checkpoints: str | Path | None = None  # default: var/train/story/<name>
    resume: bool = False  # go on from the last checkpoint there (else start anew, clearing them)
    seed: int = 0
    sample: int = 0  # stories written for held-out titles after training
    sample_length: int = 600
    progress_bar: bool = True
    extra: dict = field(default_factory=dict)  # recorded on the card as given


def train_story(config: TrainingConfig, log: Log = print) -> dict:
    """Fine-tune ``config.base_model`` on ``config.data``; save the result to ``config.output`` and return
    its training card (also saved there as training_card.json)."""
    started = time.monotonic()
    output = Path(config.output).expanduser().resolve()
    device = config.device or default_device()
    precision = _precision(config.precision, device)
    checkpoints = Path(config.checkpoints or var_dir() / "train" / "story" / output.name).expanduser()

    stats: dict = {}
    tales = read_tales(config.data, min_likes=config.min_likes, genre=config.genre, stats=stats)
    if not tales:
        why = f" with at least {config.min_likes} likes" if config.min_likes is not None else ""
        raise ValueError(f"{config.data}: no tales{why} ({_describe(stats)})")
    train_tales, held_tales = split_heldout(tales, config.heldout, config.seed)
    log(f"{len(tales)} tales ({_describe(stats)}): {len(train_tales)} to train on, {len(held_tales)} held out")

    base = _resolve(config.base_model)
    tokenizer, model = _load_base(base)
    max_length = min(config.max_length, model_context(model.config))
    train_windows = [w for tale in train_tales for w in tale_windows(tokenizer, tale, max_length)]
    held_windows = evenly([w for tale in held_tales for w in tale_windows(tokenizer, tale, max_length)],
                          config.max_eval_windows)
    if not train_windows or not held_windows:
        raise ValueError(f"no training windows: the prompt leaves no room in {max_length} tokens")
    train_tokens = sum(sum(1 for t in w["labels"] if t != IGNORE) for w in train_windows)
    log(f"{len(train_windows)} training windows ({train_tokens} story tokens), {len(held_windows)} held out, "
        f"{max_length} tokens each at most")

    if config.lora:
        model = _with_lora(model, config)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    log(f"{base}: {total / 1e6:.3g}M parameters, {trainable / 1e6:.3g}M trained "
        f"({'LoRA' if config.lora else 'full fine-tuning'}) on {device}, {precision}")

    resume_from = _checkpoint_to_resume(checkpoints, config.resume, log)
    trainer = _trainer(config, model, tokenizer, train_windows, held_windows, checkpoints, device, precision, log)
    before = trainer.evaluate()["eval_loss"]  # the base model's, even when resuming (no checkpoint loaded yet)
    trainer.train(resume_from_checkpoint=resume_from)
    history = [(row["step"], row["eval_loss"]) for row in trainer.state.log_history if "eval_loss" in row]
    if not history or history[-1][0] != trainer.state.global_step:  # the last evaluation is not the end's
        history.append((trainer.state.global_step, trainer.evaluate()["eval_loss"]))
    after = history[-1][1]

    _save(trainer.model, tokenizer, output, base, config.lora)
    evaluations = [{"step": step, "loss": round(loss, 4), "perplexity": round(perplexity(loss), 2)}
                   for step, loss in [(0, before), *history]]
    losses = [row["loss"] for row in trainer.state.log_history if "loss" in row]
    card = {
        "name": output.name,
        "base_model": base,
        "method": "lora" if config.lora else "full",
        "lora": {"r": config.lora_r, "alpha": config.lora_alpha, "dropout": config.lora_dropout,
                 "targets": config.lora_targets} if config.lora else None,
        "data": {
            "source": str(config.data),
            "tales": len(tales),
            "train_tales": len(train_tales),
            "heldout_tales": len(held_tales),
            "heldout_titles": [t.title for t in held_tales],
            "genres": sorted({t.genre for t in tales}),
            "min_likes": config.min_likes,
            "left_out": {k: v for k, v in stats.items() if k not in ("read", "kept") and v},
            "train_windows": len(train_windows),
            "train_tokens": train_tokens,
            "heldout_windows": len(held_windows),
        },
        "steps": trainer.state.global_step,
        "epochs": round(float(trainer.state.epoch or 0.0), 3),
        "batch_size": config.batch_size,
        "grad_accum": config.grad_accum,
        "learning_rate": trainer.args.learning_rate,
        "max_length": max_length,
        "precision": precision,
        "device": device,
        "heldout_loss_before": round(before, 4),
        "heldout_loss_after": round(after, 4),
        "perplexity_before": round(perplexity(before), 2),
        "perplexity_after": round(perplexity(after), 2),
        "train_loss_last": round(losses[-1], 4) if losses else None,
        "evaluations": evaluations,
        "seconds": round(time.monotonic() - started, 1),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "prompt": prompt_for("{title}", "{genre}"),
        **({"extra": config.extra} if config.extra else {}),
    }
    write_card(output, card)
    log(f"held-out loss {card['heldout_loss_before']:.4f} -> {card['heldout_loss_after']:.4f} "
        f"(perplexity {card['perplexity_before']:.1f} -> {card['perplexity_after']:.1f}); saved {output}")
    del trainer, model
    if config.sample:
        card["samples"] = write_samples(output, held_tales[: config.sample], config.sample_length, config.seed,
                                        device, log)
        write_card(output, card)
    return card


def perplexity(loss: float) -> float:
    return math.exp(min(loss, 50.0))


def write_card(folder: Path, card: dict) -> None:
    partial = folder / (CARD_NAME + ".partial")
    partial.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, folder / CARD_NAME)


def write_samples(folder: Path, tales: list[Tale], length: int, seed: int, device: str, log: Log) -> list[dict]:
    """A story for each of ``tales``' titles, written by the saved model through the storyteller itself (so
    this is what the site will write); also saved as samples.txt beside the weights."""
    from ..types import TaleRequest  # noqa: PLC0415
    from .transformers_lm import CausalLMStoryteller  # noqa: PLC0415

    storyteller = CausalLMStoryteller(model=str(folder), device=device)
    samples, parts = [], []
    for i, tale in enumerate(tales):
        try:
            story = storyteller.write(TaleRequest(tale.title, tale.genre, seed=seed + i), {"length": length})
        except RuntimeError as exc:  # the model wrote no finished sentence
            story = f"({exc})"
        samples.append({"title": tale.title, "genre": tale.genre, "story": story})
        parts.append(f"{prompt_for(tale.title, tale.genre)}\n\n{story}\n")
        log(f"\n=== {tale.title} ({tale.genre}) ===\n{story}")
    (folder / SAMPLES).write_text("\n\n".join(parts), encoding="utf-8")
    return samples


def _describe(stats: dict) -> str:
    parts = [f"{stats.get('read', 0)} read"]
    for key, words in (("empty", "without title or text"), ("below_min_likes", "below --min-likes"),
                       ("no_likes", "without likes")):
        if stats.get(key):
            parts.append(f"{stats[key]} {words}")
    return ", ".join(parts)


def _resolve(model: str) -> str:
    """A local base model as an absolute path (the adapter and the card name it from anywhere)."""
    if is_local_path(model):
        return str(Path(model).expanduser().resolve())
    return model


def _load_base(base: str):
    local = is_local_path(base)
    if local and not (Path(base) / "config.json").is_file():
        raise FileNotFoundError(f"{base}: no config.json there (a model folder in the released layout)")
    only_local = local or hub_offline()
    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=only_local)
    model = AutoModelForCausalLM.from_pretrained(base, local_files_only=only_local, dtype=torch.float32)
    return tokenizer, model


def _with_lora(model, config: TrainingConfig):
    try:
        from peft import LoraConfig, get_peft_model  # noqa: PLC0415
    except ImportError as exc:
        raise ImportError(f"--lora needs peft: pip install -r requirements/neural.txt ({exc})") from exc

    def lora(targets):
        return LoraConfig(task_type="CAUSAL_LM", r=config.lora_r, lora_alpha=config.lora_alpha,
                          lora_dropout=config.lora_dropout, target_modules=targets)

    try:
        return get_peft_model(model, lora(config.lora_targets))
    except ValueError:  # peft knows no default target modules for this architecture
        if config.lora_targets:
            raise
        return get_peft_model(model, lora("all-linear"))


def _precision(precision: str, device: str) -> str:
    if precision not in ("auto", "fp32", "fp16", "bf16"):
        raise ValueError(f"precision {precision!r}: auto, fp32, fp16 or bf16")
    gpu = device.startswith("cuda")
    if precision == "auto":
        if not gpu:
            return "fp32"
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if precision == "fp16" and not gpu:
        raise ValueError("fp16 training needs a GPU (bf16 or fp32 run on a CPU)")
    return precision


def _checkpoint_to_resume(folder: Path, resume: bool, log: Log) -> str | None:
    """The last checkpoint in ``folder`` when resuming; when not, old checkpoints are cleared so that they
    cannot be mistaken for this run's."""
    found = sorted((p for p in folder.glob("checkpoint-*") if p.is_dir() and p.name[11:].isdigit()),
                   key=lambda p: int(p.name[11:])) if folder.is_dir() else []
    if resume:
        if found:
            log(f"resuming from {found[-1]}")
            return str(found[-1])
        log(f"no checkpoint in {folder} to resume from: starting anew")
        return None
    for old in found:
        shutil.rmtree(old)
    return None


def _trainer(config: TrainingConfig, model, tokenizer, train_windows, held_windows, checkpoints: Path,
             device: str, precision: str, log: Log) -> Trainer:
    steps = config.steps if config.epochs is None else -1
    planned = steps if steps > 0 else math.ceil(
        len(train_windows) / (config.batch_size * config.grad_accum) * config.epochs)
    warmup = config.warmup_steps if config.warmup_steps is not None else min(100, planned // 10)
    learning_rate = config.learning_rate or (2e-4 if config.lora else 5e-5)
    every = max(1, min(config.eval_every, planned))
    args = TrainingArguments(
        output_dir=str(checkpoints),
        max_steps=steps,
        num_train_epochs=config.epochs or 1.0,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        learning_rate=learning_rate,
        warmup_steps=warmup,
        weight_decay=config.weight_decay,
        eval_strategy="steps",
        eval_steps=every,
        save_strategy="steps",
        save_steps=max(1, min(config.save_every, planned)),
        save_total_limit=config.keep_checkpoints,
        logging_steps=max(1, min(config.log_every, planned)),
        prediction_loss_only=True,
        label_names=["labels"],
        bf16=precision == "bf16",
        fp16=precision == "fp16",
        use_cpu=not device.startswith("cuda"),
        seed=config.seed,
        data_seed=config.seed,
        report_to="none",
        disable_tqdm=True,  # our own bar (with the loss) stands in for the default one
        dataloader_num_workers=0,
        remove_unused_columns=False,
    )
    trainer = _StoryTrainer(
        model=model, args=args, train_dataset=Windows(train_windows), eval_dataset=Windows(held_windows),
        data_collator=Collator(_pad_id(tokenizer)), processing_class=tokenizer,
    )
    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)
    trainer.add_callback(_Report(log, config.progress_bar))
    return trainer


def _pad_id(tokenizer) -> int:
    for token_id in (tokenizer.pad_token_id, tokenizer.eos_token_id, 0):
        if token_id is not None:
            return token_id
    return 0


class _StoryTrainer(Trainer):
    """The Trainer, with the held-out perplexity logged beside the held-out loss."""

    def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
        if "eval_loss" in logs:
            logs["eval_perplexity"] = perplexity(logs["eval_loss"])
        super().log(logs, start_time)


class _Report(TrainerCallback):
    """A progress bar whose postfix is the latest training loss (on stderr), and one line a log: the
    training loss every ``log_every`` steps, the held-out loss and perplexity at each evaluation."""

    def __init__(self, log: Log, bar: bool):
        self.log, self.show_bar = log, bar
        self.bar = None
        self.shown = 0

    def on_train_begin(self, args, state, control, **kwargs):
        if self.show_bar and state.is_world_process_zero:
            self.bar = tqdm(total=state.max_steps, desc="train_story", dynamic_ncols=True, file=sys.stderr)
        self.shown = 0

    def on_step_end(self, args, state, control, **kwargs):
        if self.bar is not None:
            self.bar.update(state.global_step - self.shown)
            self.shown = state.global_step

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        if "eval_loss" in logs:
            line = (f"step {state.global_step}: held-out loss {logs['eval_loss']:.4f}, "
                    f"perplexity {logs.get('eval_perplexity', perplexity(logs['eval_loss'])):.2f}")
        elif "loss" in logs:
            line = f"step {state.global_step}/{state.max_steps}: loss {logs['loss']:.4f}"
            if "learning_rate" in logs:
                line += f", lr {logs['learning_rate']:.2e}"
            if self.bar is not None:
                self.bar.set_postfix(loss=f"{logs['loss']:.3f}")
        else:
            return
        if self.bar is None:
            self.log(line)
            return
        with tqdm.external_write_mode(file=sys.stdout):  # the line above the bar, not through it
            self.log(line)

    def on_train_end(self, args, state, control, **kwargs):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _save(model, tokenizer, output: Path, base: str, lora: bool) -> None:
    """The model (or the adapter, naming ``base``) and the tokenizer in the released layout, written beside
    ``output`` first and then put in its place, so a folder is never half old and half new."""
    partial = output.with_name(output.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    model.save_pretrained(str(partial))
    tokenizer.save_pretrained(str(partial))
    if lora:
        path = partial / ADAPTER_CONFIG
        adapter = json.loads(path.read_text("utf-8"))
        adapter["base_model_name_or_path"] = base
        path.write_text(json.dumps(adapter, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if output.exists():
        shutil.rmtree(output)
    os.replace(partial, output)
