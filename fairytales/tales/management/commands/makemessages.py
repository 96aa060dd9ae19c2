"""``makemessages`` that also collects the pipeline's notes, and keeps ``locale/ru`` complete.

``Note("…")`` (fairytales/pipeline/notes.py) marks a message that the site translates where it shows it, so
the pipeline needs no Django. The site's msgids are its Russian texts: each new one is copied into its own
msgstr in ``locale/ru``, so only ``locale/en`` (and a new plural's three Russian forms) needs a translator.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.core.management.commands import makemessages

QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def fill_identity(po: Path) -> int:
    """Every entry of ``po`` translated as itself (an untranslated plural: the msgid, then the plural twice,
    for a translator to correct); returns how many were filled."""
    blocks, filled = po.read_text("utf-8").split("\n\n"), 0
    for index, block in enumerate(blocks):
        tail = block[len(block.rstrip("\n")):]  # the file's last newline: msgstr goes before it, not after
        lines = block.rstrip("\n").split("\n")
        if not any(line.startswith("msgid ") for line in lines) or 'msgid ""' in lines and index == 0:
            continue
        msgid = _field(lines, "msgid")
        plural = _field(lines, "msgid_plural")
        if plural is None and _field(lines, "msgstr") != msgid:
            lines = [line for line in lines if not line.startswith(("msgstr", '"')) or _before(lines, line)]
            lines.append(f'msgstr "{msgid}"')
            filled += 1
        elif plural is not None and _field(lines, "msgstr[0]") == "":
            lines = [line for line in lines if not line.startswith("msgstr[")]
            lines += [f'msgstr[0] "{msgid}"', f'msgstr[1] "{plural}"', f'msgstr[2] "{plural}"']
            filled += 1
        blocks[index] = "\n".join(line for line in lines if line != "#, fuzzy") + tail
    po.write_text("\n\n".join(blocks), "utf-8")
    return filled


def _field(lines: list[str], name: str) -> str | None:
    """The (escaped) text of a field, its continuation lines joined; None when the entry lacks it."""
    for i, line in enumerate(lines):
        if line.startswith(name + " "):
            text = "".join(QUOTED.findall(line[len(name):]))
            for more in lines[i + 1:]:
                if not more.startswith('"'):
                    break
                text += "".join(QUOTED.findall(more))
            return text
    return None


def _before(lines: list[str], line: str) -> bool:
    """Whether a continuation line belongs to a field before msgstr (msgid's or msgctxt's)."""
    start = next(i for i, item in enumerate(lines) if item.startswith("msgstr"))
    return lines.index(line) < start


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=Note"]
    # a new msgid starts untranslated, never with a guess from a similar one (a guess would be marked fuzzy
    # and left out of the .mo in English, and kept as a wrong Russian text)
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

    def handle(self, *args, **options):
        super().handle(*args, **options)
        for folder in settings.LOCALE_PATHS:
            po = Path(folder) / "ru" / "LC_MESSAGES" / "django.po"
            if po.exists():
                self.stdout.write(f"{po}: {fill_identity(po)} new msgids copied as their Russian text")
