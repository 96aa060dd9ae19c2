"""Checking an uploaded picture without decoding it: the web process reads its header and its ending only.

A 30 KB 1-bit PNG can claim 500 MB of pixels, and a truncated JPEG passes Pillow's ``verify()``; so the form
checks the format, the declared size in bytes and pixels, and that the file is whole, and the worker decodes
and resizes it (``illustration.load_picture``) where a slow picture delays no one's page.
"""

from __future__ import annotations

import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image

FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


def check_picture(upload) -> str:
    """The extension for an acceptable picture, or a ValidationError saying what is wrong with it."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(_("Картинка больше {size} МБ.").format(size=settings.UPLOAD_MAX_BYTES // 2**20))
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as picture:  # reads the header only
                kind, (width, height) = picture.format, picture.size
                if kind == "PNG":
                    picture.verify()  # walks the chunks to IEND with their checksums; decodes no pixels
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_too_big()) from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(_("Это не картинка или она повреждена: загрузите PNG, JPEG или WebP.")) from None
    if kind not in FORMATS:
        raise ValidationError(_("Загрузите картинку в формате PNG, JPEG или WebP."))
    if width * height > settings.UPLOAD_MAX_PIXELS:
        raise ValidationError(_too_big(f"{width}×{height}"))
    if not _whole(upload, kind):
        raise ValidationError(_("Картинка загрузилась не целиком: попробуйте ещё раз."))
    upload.seek(0)
    return FORMATS[kind]


def _too_big(size: str = "") -> str:
    megapixels = settings.UPLOAD_MAX_PIXELS / 1e6
    if size:
        return _("Картинка слишком большая: {size}, можно до {limit:.0f} Мп.").format(size=size, limit=megapixels)
    return _("Картинка слишком большая, можно до {limit:.0f} Мп.").format(limit=megapixels)


def _whole(upload, kind: str) -> bool:
    """Whether the file ends where its format says it ends (a JPEG's EOI marker, a WebP's RIFF length)."""
    upload.seek(0)
    head = upload.read(12)
    upload.seek(max(0, upload.size - 64))
    tail = upload.read().rstrip(b"\0\r\n ")
    if kind == "JPEG":
        return tail.endswith(b"\xff\xd9")
    if kind == "WEBP":
        return int.from_bytes(head[4:8], "little") + 8 <= upload.size
    return True  # PNG: verify() already read it to IEND
