"""Which H.264 encoder the editor uses, and its settings.

NVENC (``h264_nvenc``) where ffmpeg lists it *and* a one-frame trial encode succeeds (a listed encoder
without a GPU or driver fails only when used); otherwise libx264, at once. The answer is asked once per
process. Every segment of a film is encoded with the same settings (size, rate, pixel format, GOP), so the
segments join with a stream copy.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

from . import FPS, HEIGHT, WIDTH

GOP = 10 * FPS  # a keyframe at least every 10 s; every segment starts with one (an IDR) anyway
NVENC_PRESETS = {"ultrafast": "p1", "superfast": "p2", "veryfast": "p3", "faster": "p4", "fast": "p5",
                 "medium": "p6", "slow": "p7"}
_chosen: dict[str, Encoder] = {}  # per process: ffmpeg path -> the encoder chosen for it


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@dataclass(frozen=True)
class Encoder:
    name: str  # "libx264" or "h264_nvenc"
    why: str = ""  # one line: why this one (shown by `manage.py models`)

    def args(self, preset: str, crf: int) -> list[str]:
        """Output options for an H.264 stream of the film's size, rate and pixel format."""
        common = ["-pix_fmt", "yuv420p", "-r", str(FPS), "-g", str(GOP)]
        if self.name == "h264_nvenc":
            return ["-c:v", "h264_nvenc", "-preset", NVENC_PRESETS.get(preset, "p4"), "-rc", "vbr",
                    "-cq", str(crf), "-b:v", "0", *common]
        return ["-c:v", "libx264", "-preset", preset, "-crf", str(crf), *common]


LIBX264 = Encoder("libx264", "")


def listed_encoders(ffmpeg: str) -> str:
    """What ``ffmpeg -encoders`` prints (the tests replace this to pretend a GPU build)."""
    result = subprocess.run([ffmpeg, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=30,
                            check=False)
    return result.stdout


def trial(ffmpeg: str, name: str) -> str:
    """Encode one frame with ``name``; "" when it worked, else what ffmpeg says first (the reason)."""
    command = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi",
               "-i", f"color=c=black:s={WIDTH}x{HEIGHT}:r={FPS}", "-frames:v", "1",
               *Encoder(name).args("veryfast", 23), "-f", "null", "-"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if result.returncode == 0:
        return ""
    lines = result.stderr.strip().splitlines()  # the first says why ("Cannot load libcuda.so.1")
    return re.sub(r"^(\[[^]]*\] *)+", "", lines[0]) if lines else f"exit status {result.returncode}"


def choose(ffmpeg: str | None = None) -> Encoder:
    """NVENC when it is listed and a trial frame encodes, else libx264; asked once per process."""
    ffmpeg = ffmpeg or ffmpeg_exe()
    if ffmpeg not in _chosen:
        _chosen[ffmpeg] = _choose(ffmpeg)
    return _chosen[ffmpeg]


def _choose(ffmpeg: str) -> Encoder:
    try:
        listed = listed_encoders(ffmpeg)
    except (OSError, subprocess.SubprocessError) as exc:
        return Encoder("libx264", f"ffmpeg -encoders failed: {exc}")
    if not any(line.split()[1:2] == ["h264_nvenc"] for line in listed.splitlines()):
        return Encoder("libx264", "no h264_nvenc in this ffmpeg")
    failure = trial(ffmpeg, "h264_nvenc")
    if failure:
        return Encoder("libx264", f"h264_nvenc is listed but a trial frame failed: {failure}"[:200])
    return Encoder("h264_nvenc", "an NVIDIA GPU encoded a trial frame")


def give_up(encoder: Encoder, why: str, ffmpeg: str | None = None) -> Encoder:
    """``encoder`` failed on a real film: libx264 from now on in this process."""
    fallback = Encoder("libx264", f"{encoder.name} failed: {why}"[:200])
    _chosen[ffmpeg or ffmpeg_exe()] = fallback
    return fallback


def forget() -> None:
    """Ask again on the next ``choose`` (tests)."""
    _chosen.clear()
