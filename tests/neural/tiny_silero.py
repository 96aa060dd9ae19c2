"""A tiny stand-in for Silero TTS v4 with its interface, packaged the way Silero's v4_ru.pt is.

``apply_tts`` sounds a short tone for every letter (silence for anything else) at a pitch that
depends on the speaker, so voices can be told apart in the audio, records what it was asked, and
raises, as the real model does, when the text is longer than it takes.
"""

from __future__ import annotations

import math

import torch

PITCH = {"aidar": 110.0, "baya": 220.0, "kseniya": 262.0, "xenia": 330.0, "eugene": 147.0, "random": 185.0}
LETTER_SECONDS = 0.03


class TinySilero(torch.nn.Module):
    def __init__(self, max_text: int = 140):
        super().__init__()
        self.speakers = list(PITCH)
        self.max_text = max_text
        self.calls: list[dict] = []
        self.gain = torch.nn.Parameter(torch.tensor(0.5))  # a weight, so that .to(device) has work to do

    def apply_tts(
        self,
        text: str,
        speaker: str = "xenia",
        sample_rate: int = 48000,
        put_accent: bool = True,
        put_yo: bool = True,
    ) -> torch.Tensor:
        if len(text) > self.max_text:
            raise ValueError(f"text of {len(text)} characters is longer than {self.max_text}")
        if speaker not in self.speakers:
            raise ValueError(f"no speaker {speaker!r}")
        if not any(ch.isalpha() for ch in text):
            raise ValueError("nothing to say")
        self.calls.append(
            {
                "text": text,
                "speaker": speaker,
                "sample_rate": sample_rate,
                "put_accent": put_accent,
                "put_yo": put_yo,
            }
        )
        n = int(LETTER_SECONDS * sample_rate)
        letters = torch.tensor(
            [1.0 if ch.isalpha() else 0.0 for ch in text if ch != "+"], device=self.gain.device
        )
        mask = letters.repeat_interleave(n)
        t = torch.arange(len(mask), dtype=torch.float32, device=self.gain.device) / sample_rate
        return (self.gain * mask * torch.sin(2 * math.pi * PITCH[speaker] * t)).detach()


def export(path, max_text: int = 140) -> TinySilero:
    """Save a TinySilero as a torch.package under ("tts_models", "model"), as Silero lays out v4_ru.pt."""
    model = TinySilero(max_text=max_text)
    with torch.package.PackageExporter(str(path)) as exporter:
        exporter.extern(["torch", "torch.**"])
        exporter.intern(__name__)
        exporter.save_pickle("tts_models", "model", model)
    return model
