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
        if not message.string or message.fuzzy:
            problems.append(f"untranslated: {message.id!r}")
        elif sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string)):
            problems.append(f"placeholders differ: {message.id!r}")
    assert problems == []


@pytest.mark.parametrize("code", TRANSLATED_LANGUAGES)
def test_compiled_catalog_matches_its_source(code):
    source = {message.id: message.string for message in catalog(code) if message.id}
    compiled = {message.id: message.string for message in catalog(code, "mo") if message.id}
    assert compiled == source, "run `make translations` to compile the catalogs"
