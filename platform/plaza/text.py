"""Text residents write.

Rich-text fields (proposal and amendment bodies, comments, official answers, meeting descriptions) keep a small
safe subset of HTML: `clean_html()` on the way in, `|safe` on the way out. Every other field is plain text:
stored as typed, never passed through an HTML cleaner, escaped by the templates.
"""

import html as html_module
import re

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

# Names a browser reads as elements (HTML, obsolete HTML, and the foreign roots svg and math). A "<" that does
# not open one of them is text as the person meant it ("if x<y", "<neighbours>") and is kept as text.
HTML_ELEMENTS = frozenset("""
    a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound big blink blockquote
    body br button canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir div dl
    dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr
    html i iframe image img input ins isindex kbd keygen label legend li link listing main map mark marquee math
    menu menuitem meta meter nav nobr noembed noframes noscript object ol optgroup option output p param picture
    plaintext pre progress q rb rp rt rtc ruby s samp script search section select slot small source spacer span
    strike strong style sub summary sup svg table tbody td template textarea tfoot th thead time title tr track tt
    u ul var video wbr xmp
""".split())

BRACKET = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(?=[\s/>])|<")
ESCAPED_BRACKET = re.compile(r"&lt;(/?)([A-Za-z][A-Za-z0-9]*)(?=[\s/>]|&gt;)|&lt;")
BLOCK_TAG = re.compile(r"<\s*(p|br|ul|ol|blockquote)\b", re.IGNORECASE)
BLOCK_END = re.compile(r"<(?:br|/p|/li|/blockquote)\b[^>]*>", re.IGNORECASE)


def _is_element(match: re.Match) -> bool:
    return bool(match.group(2)) and match.group(2).lower() in HTML_ELEMENTS


def _escape_stray_brackets(text: str) -> str:
    return BRACKET.sub(lambda found: found.group(0) if _is_element(found) else "&lt;" + found.group(0)[1:], text)


def clean_html(text: str) -> str:
    """Sanitise what a resident typed in a rich-text field. Plain text keeps its paragraphs and line breaks;
    brackets that open no element stay as text."""
    text = _escape_stray_brackets(text.replace("\r\n", "\n").strip())
    if not BLOCK_TAG.search(text):
        paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
        text = "".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in paragraphs)
    return nh3.clean(text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow")


def editable_source(markup: str) -> str:
    """Stored rich text as the person would type it again: paragraphs as blank lines, kept tags as tags, and
    brackets and ampersands that are text as typed. `clean_html` of the result gives the same markup back."""
    text = markup.strip()
    if not re.search(r"<(ul|ol|blockquote)\b", text):
        text = re.sub(r"</p>\s*<p>", "\n\n", text)
        text = re.sub(r"^<p>|</p>$", "", text)
        text = re.sub(r"<br\s*/?>", "\n", text)
    text = ESCAPED_BRACKET.sub(lambda found: found.group(0) if _is_element(found) else "<" + found.group(0)[4:],
                               text)
    text = text.replace(' rel="noopener noreferrer nofollow"', "")  # clean_html adds it to every link
    text = text.replace("&gt;", ">").replace("&quot;", '"').replace("&#39;", "'")
    return re.sub(r"&amp;(?![#A-Za-z0-9])", "&", text)


def plain_text(markup: str) -> str:
    """Text without markup, for search, previews and exports; paragraphs and lines stay apart by a space."""
    markup = BLOCK_END.sub(lambda found: found.group(0) + " ", markup)
    return re.sub(r"\s+", " ", html_module.unescape(nh3.clean(markup, tags=set()))).strip()
