"""Every interface language is complete, compiled and in step with the source."""

import re
import subprocess
import sys

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from plaza.config import LANGUAGES
from tests.conftest import REPOSITORY_ROOT

TRANSLATIONS = REPOSITORY_ROOT / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)\w")
TRANSLATED_LANGUAGES = sorted(set(LANGUAGES) - {"en"})

pytestmark = pytest.mark.pure


def _frozen(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def catalog(code: str, suffix: str = "po"):
    path = TRANSLATIONS / code / "LC_MESSAGES" / f"messages.{suffix}"
    with path.open("rb") as file:
        return (read_po if suffix == "po" else read_mo)(file)


def test_the_template_lists_every_message_in_the_source(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-o", str(fresh), "--no-location", "."], cwd=REPOSITORY_ROOT, check=True,
                   capture_output=True)
    with fresh.open("rb") as file:
        in_source = {message.id for message in read_po(file) if message.id}
    with (TRANSLATIONS / "messages.pot").open("rb") as file:
        in_template = {message.id for message in read_po(file) if message.id}
    assert in_source == in_template, "run `make translations` and translate what is new"


@pytest.mark.parametrize("code", TRANSLATED_LANGUAGES)
def test_every_message_is_translated_with_the_same_placeholders(code):
    problems = []
    for message in catalog(code):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
        elif any(set(PLACEHOLDER.findall(string)) != wanted for string in strings):
            problems.append(f"placeholders differ: {ids[0]!r}")
    assert problems == []


@pytest.mark.parametrize("code", TRANSLATED_LANGUAGES)
def test_compiled_catalog_matches_its_source(code):
    def entries(messages) -> dict:  # plural ids and strings come back as lists from .mo files
        return {_frozen(message.id): _frozen(message.string) for message in messages if message.id}

    source, compiled = entries(catalog(code)), entries(catalog(code, "mo"))
    assert len(source) > 100
    assert compiled == source, "run `make translations` to compile the catalogs"
