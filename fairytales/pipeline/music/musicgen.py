"""Music as audio from MusicGen (``MusicgenForConditionalGeneration``), conditioned on the tale's mood.

The mood (the genre's, or the ``mood`` option) becomes an English text prompt: its description from
``data/moods.toml``, its band (General MIDI names of its melody, accompaniment, bass and pad instruments), its
tempo, and the words that keep MusicGen instrumental. The ``prompt`` option replaces it. Under each scene
the prompt also names the scene's mood words (``scene_moods.py``: «страх» → "tense", «лес» → "mysterious
forest"), so the music darkens where the tale does; ``scene_moods`` false turns that off.

MusicGen writes at most about 30 s at a time (musicgen-small was trained on 30 s clips), so a longer piece is
made in overlapping windows: the first from the text alone, each next one continued from the last
``overlap`` seconds of the audio so far (an audio prompt, which MusicGen encodes with its EnCodec and goes on
from). The generated audio repeats the prompt stretch (decoded again) and then continues; it is joined to
what came before with a short linear cross-fade over the end of that stretch, where both say the same thing.
Each window is asked for the scene that fills most of the new audio it writes (the cues the runner passes
say where each scene plays in the film; the title card's stretch goes with the first scene); the meta lists
every window's span and the prompt it was given.
Then the piece is cut to the duration, resampled from MusicGen's 32 kHz to the mix rate, normalised, faded
out and written as the 16-bit stereo WAV the video stage reads. MusicGen writes no score: the MIDI file the
music stage keeps is a valid file without notes.

The same seed gives the same audio on the same machine (``torch.manual_seed`` before each piece). On a GPU
the model runs in fp16. torch and transformers are imported only when the model loads.
"""

from __future__ import annotations

import math
import re
import secrets
from pathlib import Path

import numpy as np
import pretty_midi

from ..backend import (
    SEED,
    BackendUnavailable,
    Option,
    OptionError,
    first_line,
    torch_dtype,
)
from ..notes import Note
from ..types import ProgressCallback, no_progress
from . import SAMPLE_RATE, Composer, MusicCue
from .moods import MOOD_OPTION, MOODS, Mood, mood_for
from .render import FADE_OUT, PEAK_DBFS, fade_out, normalise, write_wav

INSTALL_HINT = "pip install -r requirements/neural.txt"
STYLE = "instrumental fairy tale film score, no vocals"


class MusicgenComposer(Composer):
    name = "musicgen"
    label = "MusicGen (звук)"
    default_model = "facebook/musicgen-small"
    requires = ("torch", "transformers")
    weights_marker = "config.json"
    device_need = "gpu"
    follows_scenes = True
    declared_options = (
        SEED,  # None: a random one
        MOOD_OPTION,  # None: the genre's
        Option("prompt", None, "Описание музыки (по-английски)", kind=str, form=True),
        Option("guidance_scale", 3.0, "Следование описанию", min=1.0, max=10.0, form=True),
        Option("temperature", 1.0, "Температура", min=0.05, max=3.0),
        Option("top_k", 250, "top_k", min=0, max=4096),  # 0: no limit
        Option("window", 30.0, "Окно, с", min=1.0, max=60.0),  # at most what the model's positions allow
        Option("overlap", 10.0, "Перекрытие окон, с", min=0.2, max=30.0),  # at most half a window
        Option("crossfade", 1.0, "Склейка, с", min=0.0, max=10.0),  # at most the overlap
        Option("scene_moods", True, "Настроение сцен в описании"),
    )

    def __init__(self, model: str | None = None, device: str | None = None):
        super().__init__(model, device)
        self._model = None
        self._processor = None

    # -- loading ---------------------------------------------------------------------------------

    def load(self) -> None:
        """The model and its processor (T5 tokenizer + EnCodec feature extractor), once; a missing model fails
        at once with the line that says how to get it."""
        try:
            import torch  # noqa: F401, PLC0415
            from transformers import AutoProcessor, MusicgenForConditionalGeneration  # noqa: PLC0415
        except ImportError as exc:
            raise BackendUnavailable(f"{self.stage}/{self.name}: {exc} ({INSTALL_HINT})") from exc
        model_id, only_local = self.weights_source()
        try:
            processor = AutoProcessor.from_pretrained(model_id, local_files_only=only_local)
            model = MusicgenForConditionalGeneration.from_pretrained(
                model_id, local_files_only=only_local, dtype=torch_dtype(self.device))
        except (OSError, ValueError, KeyError) as exc:
            raise self.missing_weights(first_line(exc)) from exc
        self._model, self._processor = model.to(self.device).eval(), processor

    # -- composing -------------------------------------------------------------------------------

    def compose(self, duration: float, genre: str, out_wav: Path, out_midi: Path, options: dict,
                progress: ProgressCallback = no_progress, cues: list[MusicCue] | None = None) -> dict:
        import torch  # noqa: PLC0415

        opts = self.options(options)
        if not duration or duration <= 0:
            raise OptionError(f"music/{self.name}: duration must be positive, not {duration!r}")
        mood_id = mood_for(genre, opts["mood"], f"music/{self.name}")
        mood = MOODS[mood_id]
        prompt = (opts["prompt"] or "").strip() or mood_prompt(mood)
        seed = opts["seed"] if opts["seed"] is not None else secrets.randbelow(2**31)
        self.ensure_loaded()
        model, processor = self._model, self._processor

        rate = int(model.config.audio_encoder.sampling_rate)
        hop = round(rate / model.config.audio_encoder.frame_rate)  # samples an audio frame
        codebooks = model.decoder.config.num_codebooks
        # one token a codebook and frame, each codebook a step behind the one before (the delay pattern)
        longest = model.decoder.config.max_position_embeddings - codebooks - 1
        window = max(2, min(round(opts["window"] * rate / hop), longest))
        overlap = max(1, min(round(opts["overlap"] * rate / hop), window // 2))
        fade = min(int(opts["crossfade"] * rate), overlap * hop)
        needed = math.ceil(duration * rate / hop)  # frames
        windows = 1 + max(0, math.ceil((needed - window) / (window - overlap)))
        sampling = {"do_sample": True, "guidance_scale": opts["guidance_scale"],
                    "temperature": opts["temperature"], "top_k": opts["top_k"]}
        frame_rate = rate / hop
        plan = window_prompts(prompt, cues if opts["scene_moods"] else None,
                              window_spans(needed, window, overlap, frame_rate))
        asked: list[dict] = []  # what each window was asked for, as the processor got it

        progress(0.02, Note("Музыка: {model}: «{prompt}»", model=Note(self.label), prompt=prompt))
        torch.manual_seed(seed)
        audio: np.ndarray | None = None  # (channels, samples) at ``rate``
        for index in range(windows):
            made = 0 if audio is None else audio.shape[1] // hop
            text = plan[min(index, len(plan) - 1)]
            if audio is None:
                inputs = processor(text=[text["prompt"]], padding=True, return_tensors="pt")
                fresh = min(window, needed)
            else:
                tail = audio[:, -overlap * hop :]
                inputs = processor(audio=tail[0] if len(tail) == 1 else tail, sampling_rate=rate,
                                   text=[text["prompt"]], padding=True, return_tensors="pt")
                fresh = min(window - overlap, needed - made)
            asked.append({**text, "window": index + 1, "start": round(made / frame_rate, 3),
                          "end": round((made + fresh) / frame_rate, 3)})
            inputs = {key: value.to(model.device, dtype=model.dtype) if value.is_floating_point()
                      else value.to(model.device) for key, value in inputs.items()}
            with torch.inference_mode():
                out = model.generate(**inputs, max_new_tokens=fresh + codebooks - 1, **sampling)
            piece = out[0].float().cpu().numpy()  # (channels, samples): the prompt again, then the new audio
            audio = piece if audio is None else join(audio, piece, overlap * hop, fade)
            done = min(duration, audio.shape[1] / rate)
            progress(0.02 + 0.88 * done / duration,
                     Note("Музыка: окно {window} из {windows}, {done:.0f} из {total:.0f} с",
                          window=index + 1, windows=windows, done=done, total=duration))
            if audio.shape[1] // hop >= needed:
                break

        progress(0.92, Note("Музыка: свожу"))
        frames = round(duration * SAMPLE_RATE)
        mixed = resample(audio, rate, SAMPLE_RATE)
        mixed = fit(mixed, frames).T.astype(np.float32)  # (samples, channels)
        if mixed.shape[1] != 2:  # a mono model: the same on both sides
            mixed = np.repeat(mixed[:, :1], 2, axis=1)
        mixed = normalise(mixed, PEAK_DBFS)
        fade_out(mixed, FADE_OUT, SAMPLE_RATE)
        write_wav(Path(out_wav), mixed, SAMPLE_RATE)
        write_placeholder_midi(Path(out_midi), mood)
        progress(1.0, Note("Музыка готова"))
        return {
            "mood": mood_id,
            "description": mood.description,
            "prompt": prompt,
            "model": str(self.model),
            "seed": seed,
            "genre": genre,
            "windows": windows,
            "prompts": asked,
            "sample_rate": rate,
            "duration": round(frames / SAMPLE_RATE, 3),
            "midi": "none (MusicGen writes audio only)",
        }


# -- the prompt --------------------------------------------------------------------------------------


def mood_prompt(mood: Mood) -> str:
    """«gentle major folk waltz, flute, celesta, string ensemble, cello, 96 bpm, instrumental fairy tale
    film score, no vocals»: what MusicGen is asked for a tale in ``mood``."""
    programs = [*mood.melody, mood.accompaniment, mood.bass, *([mood.pad] if mood.pad is not None else [])]
    band = list(dict.fromkeys(instrument_words(p) for p in programs))
    return ", ".join([mood.description, *band, f"{mood.tempo:g} bpm", STYLE])


def instrument_words(program: int) -> str:
    """A General MIDI program as plain words: «String Ensemble 1» → «string ensemble», «Pad 8 (sweep)» →
    «sweep pad», «Acoustic Guitar (nylon)» → «nylon acoustic guitar»."""
    name = pretty_midi.program_to_instrument_name(program).lower()
    found = re.match(r"^(.*?)\s*\((.+)\)$", name)
    if found:
        name = f"{found.group(2)} {found.group(1)}"
    return " ".join(word for word in name.split() if not word.isdigit())


def window_spans(needed: int, window: int, overlap: int, frame_rate: float) -> list[tuple[float, float]]:
    """The stretch of the piece, in seconds, whose audio each window writes anew: the first ``window``
    frames, then ``window - overlap`` more a window, until ``needed`` frames."""
    spans, made = [], 0
    while made < needed:
        fresh = min(window if made == 0 else window - overlap, needed - made)
        spans.append((made / frame_rate, (made + fresh) / frame_rate))
        made += fresh
    return spans


def window_prompts(prompt: str, cues: list[MusicCue] | None, spans: list[tuple[float, float]]) -> list[dict]:
    """For each window's span, ``{"prompt", "scene", "moods"}``: ``prompt`` followed by the mood words
    (``moods``) of the scene that fills most of the span (``scene`` its number); a span no scene overlaps (no cues, or music past
    the film's end) gets ``prompt`` alone and ``scene`` None. The title card before the first scene counts
    as the first scene's, so the opening window is asked for the first scene's moods."""
    cues = sorted(cues or [], key=lambda cue: cue.start)
    planned = []
    for start, end in spans:
        best, most = None, 0.0
        for i, cue in enumerate(cues):
            covered = min(end, cue.end) - max(start, 0.0 if i == 0 else cue.start)
            if covered > most:
                best, most = cue, covered
        words = list(best.moods) if best else []
        planned.append({"prompt": ", ".join([prompt, *words]), "scene": best.scene if best else None,
                        "moods": words})
    return planned or [{"prompt": prompt, "scene": None, "moods": []}]


# -- joining and fitting the audio -----------------------------------------------------------------


def join(before: np.ndarray, piece: np.ndarray, prompt: int, fade: int) -> np.ndarray:
    """``before`` continued by ``piece``, whose first ``prompt`` samples are MusicGen's rendering of the last
    ``prompt`` samples of ``before``: the last ``fade`` of those cross-fade linearly from the old audio to the
    new, then the new audio goes on. Arrays are (channels, samples)."""
    prompt = min(prompt, piece.shape[1], before.shape[1])
    fade = min(fade, prompt)
    if piece.shape[0] != before.shape[0]:  # mono and stereo: both as the wider
        channels = max(piece.shape[0], before.shape[0])
        before, piece = (np.repeat(a, channels // a.shape[0], axis=0) for a in (before, piece))
    if fade <= 0:
        return np.concatenate([before, piece[:, prompt:]], axis=1)
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
    seam = before[:, -fade:] * (1.0 - ramp) + piece[:, prompt - fade : prompt] * ramp
    return np.concatenate([before[:, :-fade], seam, piece[:, prompt:]], axis=1)


def resample(audio: np.ndarray, rate: int, target: int) -> np.ndarray:
    """(channels, samples) from ``rate`` to ``target`` Hz, band-limited (through the spectrum: no numpy
    resampler needs scipy, and minutes of audio take a fraction of a second)."""
    if rate == target or audio.shape[1] == 0:
        return audio
    n = audio.shape[1]
    m = round(n * target / rate)
    spectrum = np.fft.rfft(audio, axis=1)
    bins = m // 2 + 1
    if spectrum.shape[1] < bins:
        spectrum = np.concatenate(
            [spectrum, np.zeros((audio.shape[0], bins - spectrum.shape[1]), dtype=spectrum.dtype)], axis=1)
    return (np.fft.irfft(spectrum[:, :bins], m, axis=1) * (m / n)).astype(np.float32)


def fit(audio: np.ndarray, frames: int) -> np.ndarray:
    """Exactly ``frames`` samples: cut, or padded with silence (a model that stopped short)."""
    if audio.shape[1] >= frames:
        return audio[:, :frames]
    return np.pad(audio, ((0, 0), (0, frames - audio.shape[1])))


def write_placeholder_midi(path: Path, mood: Mood) -> None:
    """A valid MIDI file without notes (the mood's tempo and metre): the music stage keeps a MIDI beside
    every WAV, and MusicGen writes none."""
    pm = pretty_midi.PrettyMIDI(initial_tempo=float(mood.tempo))
    pm.time_signature_changes.append(pretty_midi.TimeSignature(mood.beats, 4, 0.0))
    path.parent.mkdir(parents=True, exist_ok=True)
    pm.write(str(path))
