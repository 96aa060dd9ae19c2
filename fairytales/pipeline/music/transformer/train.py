"""Train the Music Transformer on MIDI: random crops of event sequences, AdamW, a cosine schedule.

    from fairytales.pipeline.music.transformer import train as t
    losses = t.train(t.midi_folder("midi/"), t.ModelConfig(n_layer=4), steps=2000, batch=16,
                     lr=3e-4, out_checkpoint="models/music_transformer/model.pt")

The data is a list of pieces, each a MIDI path, a PrettyMIDI or a list of event tokens, or a pair
(piece, mood) for a model conditioned on moods: then every training sequence starts with the mood's
control token, and the checkpoint lists the moods it knows. Pieces are framed BOS ... EOS, cropped at
random (pieces drawn in proportion to their length, short ones padded with PAD, which is never a
target) and transposed at random by up to ``transpose`` semitones.

Corpora: ``midi_folder`` (every .mid/.midi under a folder), ``music21_corpus`` (the scores that
ship with music21, offline: chorales, Palestrina, folk tunes...) and ``procedural_corpus`` (the
procedural composer's pieces, labelled with their moods).

A participant's own model: ``heldout`` keeps a share of the pieces out of training and reports their
loss (on the same crops each time) before training, every ``eval_every`` steps and at the end; the
checkpoint is saved every ``save_every`` steps (and at the end) with a resume file beside it
(``<checkpoint>.resume``: the optimizer and the step), so ``resume=True`` goes on from there up to
``steps``; and a
``training_card.json`` beside the checkpoint says what it was trained on. A checkpoint saved as
``models/music_transformer/<name>/model.pt`` is listed by ``local_music_models()`` for a tale to pick.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import random
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pretty_midi
import torch

from ...backend import default_device
from ..models import CARD_NAME, MUSIC_MODELS_DIR, local_music_models  # noqa: F401 - listed here too, for callers
from . import events
from .model import ModelConfig, MusicTransformer

logger = logging.getLogger(__name__)

Piece = tuple[list[int], str | None]  # event tokens, mood
RESUME_SUFFIX = ".resume"


# --- corpora -----------------------------------------------------------------------------------


def midi_folder(folder: str | Path) -> list[Path]:
    """Every .mid / .midi file under ``folder``, sorted."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {folder}")
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".mid", ".midi") and p.is_file())


def music21_corpus(
    limit: int | None = None,
    composers: Iterable[str] = (),
    seed: int = 0,
    log: Callable = logger.info,
) -> list[list[int]]:
    """The event tokens of scores from music21's bundled corpus (no network), each converted to
    PrettyMIDI through an in-memory MIDI file and encoded at once (a PrettyMIDI of a music21 file
    keeps a tick-to-time table of megabytes). The corpus is shuffled with ``seed`` so that a
    ``limit`` mixes its collections; ``composers`` keeps those (music21's names: "bach",
    "essenFolksong", "ryansMammoth"...). Scores music21 cannot parse or convert are skipped."""
    from music21 import corpus, stream  # noqa: PLC0415 - optional and slow to import
    from music21.midi import translate  # noqa: PLC0415

    paths = []
    for composer in composers:
        found = corpus.getComposer(composer)
        if not found:
            raise ValueError(f"music21 has no composer {composer!r} in its corpus")
        paths += found
    paths = paths or corpus.getPaths()
    paths = sorted((Path(p) for p in paths if Path(p).suffix != ".rntxt"), key=str)  # rntxt: chord labels
    random.Random(seed).shuffle(paths)
    out: list[list[int]] = []
    for path in paths:
        if limit is not None and len(out) >= limit:
            break
        try:
            parsed = corpus.parse(path)
            scores = list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]
        except Exception as exc:  # noqa: BLE001 - a corpus file music21 cannot read is skipped
            log(f"music21: skipped {path.name}: {exc}")
            continue
        for score in scores[: (limit - len(out)) if limit is not None else None]:
            try:
                data = translate.music21ObjectToMidiFile(score).writestr()
                tokens = events.encode(pretty_midi.PrettyMIDI(io.BytesIO(data)))
            except Exception as exc:  # noqa: BLE001 - badly formed repeats and the like
                log(f"music21: skipped {path.name}: {exc}")
                continue
            if tokens:
                out.append(tokens)
                if len(out) % 100 == 0:
                    log(f"music21: {len(out)} scores")
    return out


def procedural_corpus(
    per_mood: int = 8, duration: float = 90.0, seed: int = 0
) -> list[tuple[pretty_midi.PrettyMIDI, str]]:
    """``per_mood`` pieces of the procedural composer for each of its moods, labelled with the mood."""
    from ..procedural import compose_score  # noqa: PLC0415

    out = []
    for mood in events.MOOD_NAMES:
        for i in range(per_mood):
            pm, _ = compose_score(mood, duration, seed * 100_003 + i * 101 + events.MOOD_NAMES.index(mood))
            out.append((pm, mood))
    return out


def to_pieces(data: Iterable, log: Callable = logger.info) -> list[Piece]:
    """Encode what ``train`` accepts into (tokens, mood) pairs; unreadable MIDI files are skipped."""
    pieces: list[Piece] = []
    for item in data:
        mood = None
        if isinstance(item, tuple) and len(item) == 2 and (item[1] is None or isinstance(item[1], str)):
            item, mood = item
        if mood is not None and mood not in events.MOOD_NAMES:
            raise ValueError(f"unknown mood {mood!r} (known: {', '.join(events.MOOD_NAMES)})")
        if isinstance(item, (str, Path)):
            try:
                item = pretty_midi.PrettyMIDI(str(item))
            except Exception as exc:  # noqa: BLE001 - a broken file in a folder of thousands
                log(f"skipped {item}: {exc}")
                continue
        tokens = events.encode(item) if isinstance(item, pretty_midi.PrettyMIDI) else [int(t) for t in item]
        if tokens:
            pieces.append((tokens, mood))
    return pieces


# --- training ----------------------------------------------------------------------------------


class Batches:
    """Random crops ``x, y`` of shape (batch, max_len), y being x moved on by one token."""

    def __init__(self, pieces: list[Piece], max_len: int, transpose: int, seed: int):
        self.pieces = [([events.BOS, *tokens, events.EOS], mood) for tokens, mood in pieces]
        self.max_len, self.transpose = max_len, transpose
        lengths = np.array([len(t) for t, _ in self.pieces], dtype=np.float64)
        self.weights = lengths / lengths.sum()
        self.rng = np.random.default_rng(seed)

    def sample(self) -> list[int]:
        tokens, mood = self.pieces[self.rng.choice(len(self.pieces), p=self.weights)]
        n = self.max_len + 1 - (mood is not None)
        start = int(self.rng.integers(0, max(1, len(tokens) - n + 1)))
        crop = tokens[start : start + n]
        if self.transpose:
            shifted = events.transpose(crop, int(self.rng.integers(-self.transpose, self.transpose + 1)))
            crop = shifted if shifted is not None else crop
        chunk = ([events.mood_token(mood)] if mood is not None else []) + crop
        return chunk + [events.PAD] * (self.max_len + 1 - len(chunk))

    def __call__(self, batch: int, device: str) -> tuple[torch.Tensor, torch.Tensor]:
        data = torch.tensor([self.sample() for _ in range(batch)], dtype=torch.long)
        return data[:, :-1].to(device), data[:, 1:].to(device)


def train(
    data: Iterable,
    config: ModelConfig | None = None,
    steps: int = 1000,
    batch: int = 16,
    lr: float = 3e-4,
    out_checkpoint: str | Path | None = None,
    log: Callable[[str], None] = print,
    *,
    device: str | None = None,
    seed: int = 0,
    transpose: int = 3,
    warmup: int | None = None,
    weight_decay: float = 0.01,
    grad_clip: float = 1.0,
    log_every: int = 50,
    heldout: float = 0.0,
    eval_every: int = 100,
    eval_batches: int = 4,
    save_every: int = 0,
    resume: bool = False,
    report: dict | None = None,
) -> list[float]:
    """Train a new model on ``data`` for ``steps`` steps; save it to ``out_checkpoint`` (when given)
    and return the loss of every step. ``device`` defaults as the backends do (VIDEOTALES_DEVICE,
    else cuda when there is one); on cuda the steps run in bfloat16 autocast.

    ``heldout`` (a share of the pieces, at least one) is kept out and its loss reported; ``save_every``
    saves the checkpoint and its resume file on the way; ``resume`` goes on from ``out_checkpoint``'s
    resume file (same data, config and seed) up to ``steps``. ``report``, when given, gets
    ``{"heldout": [[step, loss], ...], "resumed_from": step, "pieces": n, "heldout_pieces": n}``."""
    config = config or ModelConfig()
    pieces = to_pieces(data, log)
    if not pieces:
        raise ValueError("no notes to train on")
    pieces, held = split_heldout(pieces, heldout, seed)
    moods = sorted({m for _, m in pieces if m is not None})
    device = device or default_device()
    torch.manual_seed(seed)
    model = MusicTransformer(config).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    n_tokens = sum(len(t) for t, _ in pieces)
    log(f"{len(pieces)} pieces, {n_tokens} tokens; model {n_params / 1e6:.2f}M parameters on {device}"
        + (f"; {len(held)} pieces held out" if held else ""))

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and not n.endswith(".Er")]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2 or n.endswith(".Er")]
    optim = torch.optim.AdamW(
        [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=lr, betas=(0.9, 0.98), fused=device.startswith("cuda"),
    )
    warmup = min(200, steps // 10) if warmup is None else warmup

    def rate(step: int) -> float:  # linear warm-up, then cosine down to a tenth
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, steps - warmup)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))

    losses: list[float] = []
    heldout_losses: list[list[float]] = []
    first = 0
    if resume:
        first, losses, heldout_losses = _resume(model, optim, out_checkpoint, config, device, log)
    evaluate = HeldOut(held, config.max_len, batch, eval_batches, seed) if held else None
    if evaluate and not heldout_losses:
        heldout_losses.append([first, evaluate(model, device)])
        log(f"step {first}: held-out loss {heldout_losses[-1][1]:.3f}")

    batches = Batches(pieces, config.max_len, transpose, seed + first)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.startswith("cuda"))
    started = time.monotonic()
    extra = {"moods": moods, "pieces": len(pieces), "tokens": n_tokens, "heldout_pieces": len(held)}
    model.train()
    for step in range(first, steps):
        for group in optim.param_groups:
            group["lr"] = lr * rate(step)
        x, y = batches(batch, device)
        with autocast:
            _, loss, _ = model(x, y)
        optim.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        optim.step()
        losses.append(loss.item())
        done = step + 1
        if done % log_every == 0 or step == first or done == steps:
            recent = losses[-log_every:]
            log(
                f"step {done}/{steps}  loss {sum(recent) / len(recent):.3f}  "
                f"lr {lr * rate(step):.2e}  {time.monotonic() - started:.0f} s"
            )
        if evaluate and (done % max(1, eval_every) == 0 or done == steps):
            heldout_losses.append([done, evaluate(model, device)])
            log(f"step {done}: held-out loss {heldout_losses[-1][1]:.3f}")
            model.train()
        if out_checkpoint and save_every and done % save_every == 0 and done < steps:
            _save_all(model, optim, out_checkpoint, losses, heldout_losses, done, extra)
    if out_checkpoint:
        _save_all(model, optim, out_checkpoint, losses, heldout_losses, max(first, steps), extra,
                  resumable=bool(save_every or resume))
        write_card(out_checkpoint, {
            "steps": max(first, steps), "batch": batch, "lr": lr, "seed": seed, "config": asdict(config),
            "pieces": len(pieces), "tokens": n_tokens, "heldout_pieces": len(held), "moods": moods,
            "loss_last": round(sum(losses[-50:]) / len(losses[-50:]), 4) if losses else None,
            "heldout_loss_before": round(heldout_losses[0][1], 4) if heldout_losses else None,
            "heldout_loss_after": round(heldout_losses[-1][1], 4) if heldout_losses else None,
            "heldout": [[int(s), round(v, 4)] for s, v in heldout_losses],
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        })
        log(f"saved {out_checkpoint}")
    if report is not None:
        report.update(heldout=heldout_losses, resumed_from=first, pieces=len(pieces), heldout_pieces=len(held))
    return losses


def split_heldout(pieces: list[Piece], share: float, seed: int) -> tuple[list[Piece], list[Piece]]:
    """(training pieces, held-out pieces): ``share`` of the pieces, at least one when ``share`` > 0
    (and never all of them)."""
    if share <= 0 or len(pieces) < 2:
        if share > 0:
            raise ValueError(f"{len(pieces)} piece(s): at least two are needed to hold one out")
        return pieces, []
    order = list(range(len(pieces)))
    random.Random(seed).shuffle(order)
    held = set(order[: min(len(pieces) - 1, max(1, round(share * len(pieces))))])
    return [p for i, p in enumerate(pieces) if i not in held], [pieces[i] for i in sorted(held)]


class HeldOut:
    """The mean loss on ``batches`` fixed batches of crops from the held-out pieces (no transposition):
    the same crops at every evaluation, so the numbers compare."""

    def __init__(self, pieces: list[Piece], max_len: int, batch: int, batches: int, seed: int):
        crops = Batches(pieces, max_len, 0, seed + 7919)
        self.data = [torch.tensor([crops.sample() for _ in range(batch)], dtype=torch.long)
                     for _ in range(max(1, batches))]

    def __call__(self, model: MusicTransformer, device: str) -> float:
        model.eval()
        total = 0.0
        with torch.no_grad():
            for data in self.data:
                data = data.to(device)
                _, loss, _ = model(data[:, :-1], data[:, 1:])
                total += float(loss)
        return total / len(self.data)


def resume_path(checkpoint: str | Path) -> Path:
    checkpoint = Path(checkpoint)
    return checkpoint.with_name(checkpoint.name + RESUME_SUFFIX)


def _resume(model, optim, checkpoint, config: ModelConfig, device: str, log: Callable) -> tuple[int, list, list]:
    """Load the model and optimizer from ``checkpoint`` and its resume file; (next step, losses, held-out
    losses). No resume file: a fresh start, said so."""
    if not checkpoint or not resume_path(checkpoint).is_file() or not Path(checkpoint).is_file():
        log(f"nothing to resume at {checkpoint}: starting anew")
        return 0, [], []
    saved = torch.load(checkpoint, map_location=device, weights_only=True)
    if saved.get("config") != asdict(config):
        raise ValueError(f"{checkpoint} was trained with another model config {saved.get('config')}: "
                         "resume with the same --layers, --heads, --d-model, --max-len")
    state = torch.load(resume_path(checkpoint), map_location=device, weights_only=True)
    model.load_state_dict(saved["state_dict"])
    optim.load_state_dict(state["optimizer"])
    step = int(state["step"])
    log(f"resuming from {checkpoint} at step {step}")
    return step, [float(v) for v in saved.get("loss", [])], [list(v) for v in saved.get("heldout_loss", [])]


def _save_all(model, optim, checkpoint, losses, heldout_losses, step: int, extra: dict,
              resumable: bool = True) -> None:
    """The checkpoint, and (``resumable``) the resume file with the optimizer's state beside it."""
    save_checkpoint(model, checkpoint, losses, heldout_loss=[[int(s), float(v)] for s, v in heldout_losses],
                    step=step, **extra)
    if not resumable:
        return
    path = resume_path(checkpoint)
    partial = path.with_name(path.name + ".partial")
    torch.save({"optimizer": optim.state_dict(), "step": step}, partial)
    os.replace(partial, path)


def write_card(checkpoint: str | Path, card: dict) -> None:
    """``training_card.json`` beside ``checkpoint``."""
    path = Path(checkpoint).with_name(CARD_NAME)
    path.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def save_checkpoint(model: MusicTransformer, path: str | Path, losses: list[float], **extra) -> None:
    """``{"config", "state_dict", "vocab", "loss", ...}``, plain types and tensors only (loadable
    with ``weights_only=True``), written through a temporary file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    checkpoint = {
        "config": asdict(model.cfg),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "vocab": events.VOCAB_ID,
        "loss": [float(v) for v in losses],
        **extra,
    }
    partial = path.with_name(path.name + ".partial")
    torch.save(checkpoint, partial)
    os.replace(partial, path)
