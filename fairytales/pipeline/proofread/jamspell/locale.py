"""The ``en_US.UTF-8`` locale JamSpell's C++ needs, made before ``jamspell`` is imported.

JamSpell creates that locale (hard-coded in its utils.cpp) when it is imported and with every corrector,
and aborts the whole process when the C library cannot make it. So ``import_jamspell()`` first makes sure
it loads: a system that has it (locale-gen, locales-all) is used as is; otherwise it is compiled once into
var/locale and LOCPATH points there.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from ...backend import BackendUnavailable, var_dir

LOCALE = "en_US.UTF-8"  # hard-coded in jamspell's C++ (utils.cpp)
LOCALE_SOURCE = "/usr/share/i18n/locales/en_US"  # what localedef compiles it from (apt package locales)
LOCALE_HINT = "apt-get install locales (the backend then generates en_US.UTF-8 under var/locale)"
INSTALL_HINT = "pip install swig==3.0.12, then PATH=.venv/bin:$PATH pip install --no-build-isolation jamspell"

_LC_ALL_MASK = 8127  # glibc: every category but LC_ALL itself
_lock = threading.Lock()


def locale_dir() -> Path:
    """The project's own folder of compiled locales (under var/, which is not in git)."""
    return var_dir() / "locale"


def locale_loads(name: str = LOCALE) -> bool:
    """Whether the C library can create ``name`` now (what std::locale(name) will ask it)."""
    if not sys.platform.startswith("linux"):
        return True  # nothing to check the same way; jamspell is only built and used on Linux here
    try:
        libc = ctypes.CDLL(None)
        libc.newlocale.restype = ctypes.c_void_p
        libc.newlocale.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p]
        libc.freelocale.argtypes = [ctypes.c_void_p]
    except (OSError, AttributeError):
        return True
    handle = libc.newlocale(_LC_ALL_MASK, name.encode(), None)
    if not handle:
        return False
    libc.freelocale(handle)
    return True


def locale_obtainable() -> bool:
    """Whether the locale loads or can be made here (cheap: compiles nothing)."""
    compiled = locale_dir() / "en_US.utf8" / "LC_CTYPE"
    return locale_loads() or compiled.exists() or Path(LOCALE_SOURCE).exists()


def _generate_locale(folder: Path) -> None:
    """Compile en_US.UTF-8 into ``folder``/en_US.utf8 with localedef (glibc's sources: apt ``locales``)."""
    localedef = shutil.which("localedef") or "/usr/bin/localedef"
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".en_US-", dir=folder))
    try:
        result = subprocess.run(
            [localedef, "-i", "en_US", "-f", "UTF-8", str(work / "en_US.utf8")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if not (work / "en_US.utf8" / "LC_CTYPE").exists():
            why = (result.stderr or result.stdout).strip().splitlines()
            raise BackendUnavailable(
                f"proofread/jamspell: cannot generate the {LOCALE} locale jamspell needs "
                f"({why[-1] if why else f'localedef exit {result.returncode}'}): {LOCALE_HINT}"
            )
        try:
            (work / "en_US.utf8").rename(folder / "en_US.utf8")
        except OSError:
            pass  # another process made it meanwhile
    except FileNotFoundError as exc:
        raise BackendUnavailable(f"proofread/jamspell: no localedef to make {LOCALE}: {LOCALE_HINT}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ensure_locale() -> None:
    """Make ``en_US.UTF-8`` loadable in this process before jamspell is imported or used.

    When the system lacks it, it is compiled once into var/locale and LOCPATH points there, for this
    process and the ones it starts: glibc reads LOCPATH each time a locale is created. Raises
    BackendUnavailable (instead of letting the import abort the process) when neither works.
    """
    with _lock:
        if locale_loads():
            return
        folder = locale_dir()
        if not (folder / "en_US.utf8" / "LC_CTYPE").exists():
            _generate_locale(folder)
        paths = [p for p in os.environ.get("LOCPATH", "").split(":") if p]
        if str(folder) not in paths:
            os.environ["LOCPATH"] = ":".join([str(folder), *paths])
        if not locale_loads():
            raise BackendUnavailable(
                f"proofread/jamspell: the {LOCALE} locale in {folder} does not load: {LOCALE_HINT}"
            )


def import_jamspell():
    """The jamspell module, imported safely (its import aborts the process without the locale)."""
    if "jamspell" in sys.modules:
        return sys.modules["jamspell"]
    if importlib.util.find_spec("jamspell") is None:
        raise BackendUnavailable(f"proofread/jamspell: the jamspell package is not installed: {INSTALL_HINT}")
    ensure_locale()
    try:
        import jamspell  # noqa: PLC0415
    except ImportError as exc:
        raise BackendUnavailable(
            f"proofread/jamspell: jamspell does not import ({exc}): {INSTALL_HINT}"
        ) from exc
    return jamspell
