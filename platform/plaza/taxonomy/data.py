"""The human-rights taxonomies Plaza tags processes and proposals with, as data.

- The 30 articles of the Universal Declaration of Human Rights (UN General Assembly, 1948), by the short
  titles of the widely used abridged ("simplified") version, as in the University of Minnesota Human
  Rights Resource Center's "Human Rights Here and Now" and many Human Rights City materials.
- The 17 Sustainable Development Goals (UN General Assembly resolution 70/1, 2015), by their official
  short names.

Titles are marked for translation; the database keeps the English title (see `services.seed_tags`) and
pages show the translation for the reader's language (`Tag.title`).
"""

import enum

from flask_babel import lazy_gettext as _l


class TagScheme(enum.Enum):
    """A taxonomy. The value is what URLs use (/tags/udhr/25)."""

    UDHR = "udhr"
    SDG = "sdg"


SCHEME_NAMES = {
    TagScheme.UDHR: _l("Universal Declaration of Human Rights"),
    TagScheme.SDG: _l("Sustainable Development Goals"),
}

SCHEME_ORDER = (TagScheme.UDHR, TagScheme.SDG)  # the order pages list them in

UDHR_ARTICLES = {
    "1": _l("Right to equality"),
    "2": _l("Freedom from discrimination"),
    "3": _l("Right to life, liberty and personal security"),
    "4": _l("Freedom from slavery"),
    "5": _l("Freedom from torture and degrading treatment"),
    "6": _l("Right to recognition as a person before the law"),
    "7": _l("Right to equality before the law"),
    "8": _l("Right to remedy by competent tribunal"),
    "9": _l("Freedom from arbitrary arrest and exile"),
    "10": _l("Right to fair public hearing"),
    "11": _l("Right to be considered innocent until proven guilty"),
    "12": _l("Freedom from interference with privacy, family, home and correspondence"),
    "13": _l("Right to free movement in and out of the country"),
    "14": _l("Right to asylum in other countries from persecution"),
    "15": _l("Right to a nationality and the freedom to change it"),
    "16": _l("Right to marriage and family"),
    "17": _l("Right to own property"),
    "18": _l("Freedom of belief and religion"),
    "19": _l("Freedom of opinion and information"),
    "20": _l("Right of peaceful assembly and association"),
    "21": _l("Right to participate in government and in free elections"),
    "22": _l("Right to social security"),
    "23": _l("Right to desirable work and to join trade unions"),
    "24": _l("Right to rest and leisure"),
    "25": _l("Right to adequate standard of living"),
    "26": _l("Right to education"),
    "27": _l("Right to participate in the cultural life of community"),
    "28": _l("Right to a social order that articulates this document"),
    "29": _l("Community duties essential to free and full development"),
    "30": _l("Freedom from state or personal interference in the above rights"),
}

SDG_GOALS = {
    "1": _l("No poverty"),
    "2": _l("Zero hunger"),
    "3": _l("Good health and well-being"),
    "4": _l("Quality education"),
    "5": _l("Gender equality"),
    "6": _l("Clean water and sanitation"),
    "7": _l("Affordable and clean energy"),
    "8": _l("Decent work and economic growth"),
    "9": _l("Industry, innovation and infrastructure"),
    "10": _l("Reduced inequalities"),
    "11": _l("Sustainable cities and communities"),
    "12": _l("Responsible consumption and production"),
    "13": _l("Climate action"),
    "14": _l("Life below water"),
    "15": _l("Life on land"),
    "16": _l("Peace, justice and strong institutions"),
    "17": _l("Partnerships for the goals"),
}

TAXONOMIES = {
    TagScheme.UDHR: UDHR_ARTICLES,
    TagScheme.SDG: SDG_GOALS,
}
