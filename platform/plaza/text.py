"""Text residents write: a small safe subset of HTML is kept, everything else is removed."""

import html as html_module
import re

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(text: str) -> str:
    """Sanitise what a resident typed. Plain text keeps its paragraphs and line breaks."""
    text = text.replace("\r\n", "\n").strip()
    if not re.search(r"<\s*(p|br|ul|ol|blockquote)\b", text, re.IGNORECASE):
        paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
        text = "".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in paragraphs)
    return nh3.clean(text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow")


def plain_text(markup: str) -> str:
    """Text without markup, for search, previews and exports."""
    return re.sub(r"\s+", " ", html_module.unescape(nh3.clean(markup, tags=set()))).strip()
