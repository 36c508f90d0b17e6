import unicodedata
from urllib.parse import urlsplit

MAX_TARGET_LENGTH = 2000
# Control, format, private-use, unassigned characters and line breaks: a browser drops some of them from a
# URL (so "/\t/evil.example" becomes "//evil.example") and CR/LF would split the Location header.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def local_path(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`: never redirect a visitor elsewhere."""
    target = target or ""
    if (not target.startswith("/") or target.startswith("//") or "\\" in target
            or len(target) > MAX_TARGET_LENGTH
            or any(unicodedata.category(character) in _REFUSED_CATEGORIES for character in target)):
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target
