"""Files people upload (proposal attachments, pictures of budget projects): accepted by content, not by name,
and stored under a random name in the instance's `uploads` folder."""

import re
import secrets
import unicodedata
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from plaza.errors import RuleBroken

MAX_FILENAME = 120  # characters of a file's name as shown; the file itself is stored under a random name
PDF = ("application/pdf", (b"%PDF-",))
PNG = ("image/png", (b"\x89PNG\r\n\x1a\n",))
JPEG = ("image/jpeg", (b"\xff\xd8\xff",))
# By extension: the content type and the first bytes a file of that type must start with.
IMAGE_TYPES = {".png": PNG, ".jpg": JPEG, ".jpeg": JPEG}
DOCUMENT_TYPES = {".pdf": PDF, **IMAGE_TYPES}

# Invisible characters that change how a name reads (U+202E shows "fdp.exe" as "exe.pdf") or break it;
# the zero-width joiner and non-joiner stay, since Persian and Indic words need them.
JOINERS = {"\u200c", "\u200d"}


def upload_folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def display_filename(raw: str) -> str:
    """The name a resident gave a file, safe to show and to send back, in any script: without folders,
    control and formatting characters, at most MAX_FILENAME characters with its extension kept."""
    name = re.split(r"[/\\]", unicodedata.normalize("NFC", raw))[-1]
    name = "".join(" " if unicodedata.category(char).startswith("Z") else char for char in name
                   if not unicodedata.category(char).startswith("C") or char in JOINERS)
    name = " ".join(name.split()).rstrip(". ")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = stem.strip(". ") or _("file")
    extension = f".{extension.strip()}" if extension.strip() else ""
    return stem[:MAX_FILENAME - len(extension)].rstrip(". ") + extension


def read_upload(upload: FileStorage, types: dict[str, tuple[str, tuple[bytes, ...]]], max_bytes: int, *,
                field: str, wrong_type: str) -> tuple[str, str, bytes]:
    """(display name, content type, content) of an upload whose extension is in `types` and whose first
    bytes match it, at most `max_bytes` long; otherwise RuleBroken on `field` (`wrong_type`: its message
    for an extension not accepted)."""
    name = display_filename(upload.filename or "")
    extension = Path(name).suffix.lower()
    if extension not in types:
        raise RuleBroken(wrong_type, field=field)
    content = upload.stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise RuleBroken(_("Each file must be at most %(size)d MB.", size=max_bytes // 2**20), field=field)
    content_type, signatures = types[extension]
    if not content.startswith(signatures):
        raise RuleBroken(_("This file is not really a %(kind)s file.", kind=extension[1:].upper()), field=field)
    return name, content_type, content


def store(content: bytes) -> tuple[str, Path]:
    """Write `content` under a new random name; (that name, its path)."""
    stored = secrets.token_hex(16)
    path = upload_folder() / stored
    path.write_bytes(content)
    return stored, path
