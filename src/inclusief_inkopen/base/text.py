"""Texts people read, in Dutch first and English too."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from inclusief_inkopen.base.values import constructed

Lang = Literal["nl", "en"]
LANGUAGES: tuple[Lang, ...] = ("nl", "en")


class Text(BaseModel):
    """A text in Dutch and English; both are required so no reader is left with a blank."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.nl


def text_in(values: dict[str, str]) -> Text:
    """A text in the languages given, from strings that are valid already: what ``Text.model_construct`` makes of
    them (the advice holds a text in the one language asked for), without its search for defaults and aliases,
    hundreds of times per advice in words.

    >>> text_in({"nl": "Toegankelijk"}).model_dump(exclude_unset=True)
    {'nl': 'Toegankelijk'}
    """
    return constructed(Text, {lang: values[lang] for lang in LANGUAGES if lang in values})


MONTHS = {
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


def format_number(value: float, lang: Lang) -> str:
    """Group digits the way each language writes them.

    >>> format_number(450000, "nl"), format_number(450000, "en"), format_number(0.05, "nl")
    ('450.000', '450,000', '0,05')
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value:,}"
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_eur(value: float, lang: Lang) -> str:
    """
    >>> format_eur(216000, "nl"), format_eur(216000, "en")
    ('€ 216.000', '€216,000')
    """
    return f"€ {format_number(value, lang)}" if lang == "nl" else f"€{format_number(value, lang)}"


def format_date(value: object, lang: Lang) -> str:
    """
    >>> import datetime
    >>> format_date(datetime.date(2026, 1, 1), "nl"), format_date(datetime.date(2026, 1, 1), "en")
    ('1 januari 2026', '1 January 2026')
    """
    import datetime as dt

    if not isinstance(value, dt.date):
        return str(value)
    return f"{value.day} {MONTHS[lang][value.month - 1]} {value.year}"
