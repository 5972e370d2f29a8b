"""A pydantic model of one CSL-JSON item, following the CSL-JSON schema (csl-data.json, v1.0.2).

Field names are the schema's property names (``container-title``, ``DOI``...) used as aliases;
unknown properties are rejected, as the schema's ``additionalProperties: false`` does.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

ItemType = Literal[
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book",
    "broadcast", "chapter", "classic", "collection", "dataset", "document", "entry",
    "entry-dictionary", "entry-encyclopedia", "event", "figure", "graphic", "hearing", "interview",
    "legal_case", "legislation", "manuscript", "map", "motion_picture", "musical_score", "pamphlet",
    "paper-conference", "patent", "performance", "periodical", "personal_communication", "post",
    "post-weblog", "regulation", "report", "review", "review-book", "software", "song", "speech",
    "standard", "thesis", "treaty", "webpage",
]  # fmt: skip
ITEM_TYPES: frozenset[str] = frozenset(ItemType.__args__)  # type: ignore[attr-defined]

NAME_VARIABLES = (
    "author", "chair", "collection-editor", "compiler", "composer", "container-author",
    "contributor", "curator", "director", "editor", "editorial-director", "executive-producer",
    "guest", "host", "interviewer", "illustrator", "narrator", "organizer", "original-author",
    "performer", "producer", "recipient", "reviewed-author", "script-writer", "series-creator",
    "translator",
)  # fmt: skip
DATE_VARIABLES = ("accessed", "available-date", "event-date", "issued", "original-date", "submitted")
NUMBER_VARIABLES = (
    "chapter-number", "citation-number", "collection-number", "edition",
    "first-reference-note-number", "issue", "locator", "number", "number-of-pages",
    "number-of-volumes", "page", "page-first", "part", "printing", "supplement", "volume",
)  # fmt: skip
STRING_VARIABLES = (
    "citation-key", "language", "journalAbbreviation", "shortTitle", "abstract", "annote", "archive",
    "archive_collection", "archive_location", "archive-place", "authority", "call-number",
    "citation-label", "collection-title", "container-title", "container-title-short", "dimensions",
    "division", "DOI", "event", "event-title", "event-place", "genre", "ISBN", "ISSN",
    "jurisdiction", "keyword", "medium", "note", "original-publisher", "original-publisher-place",
    "original-title", "part-title", "PMCID", "PMID", "publisher", "publisher-place", "references",
    "reviewed-genre", "reviewed-title", "scale", "section", "source", "status", "title",
    "title-short", "URL", "version", "volume-title", "volume-title-short", "year-suffix",
)  # fmt: skip

Flag = str | int | float | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CslName(_Strict):
    family: str | None = None
    given: str | None = None
    dropping_particle: str | None = Field(None, alias="dropping-particle")
    non_dropping_particle: str | None = Field(None, alias="non-dropping-particle")
    suffix: str | None = None
    comma_suffix: Flag | None = Field(None, alias="comma-suffix")
    static_ordering: Flag | None = Field(None, alias="static-ordering")
    literal: str | None = None
    parse_names: Flag | None = Field(None, alias="parse-names")


class CslDate(_Strict):
    date_parts: list[list[int | str]] | None = Field(None, alias="date-parts", min_length=1, max_length=2)
    season: int | str | None = None
    circa: Flag | None = None
    literal: str | None = None
    raw: str | None = None

    @field_validator("date_parts")
    @classmethod
    def _one_to_three_parts(cls, value: list[list[int | str]] | None) -> list[list[int | str]] | None:
        for part in value or []:
            if not 1 <= len(part) <= 3:
                raise ValueError("each date has 1 to 3 parts (year, month, day)")
        return value


def _python_name(variable: str) -> str:
    return variable.replace("-", "_")


def _fields() -> dict[str, Any]:
    fields: dict[str, Any] = {
        "type": (ItemType, Field(...)),
        "id": (str | int | float, Field(...)),
        "categories": (list[str] | None, Field(None)),
        "custom": (dict[str, Any] | None, Field(None)),
    }
    for names, annotation in (
        (NAME_VARIABLES, list[CslName] | None),
        (DATE_VARIABLES, CslDate | None),
        (NUMBER_VARIABLES, str | int | float | None),
        (STRING_VARIABLES, str | None),
    ):
        for variable in names:
            fields[_python_name(variable)] = (annotation, Field(None, alias=variable))
    return fields


CslItem = create_model("CslItem", __base__=_Strict, **_fields())  # type: ignore[call-overload]
CslItem.__doc__ = "One CSL-JSON item; ``dump()`` gives it back in the schema's own field names."


def validate_item(item: dict[str, Any]) -> dict[str, Any]:
    """Validate a CSL-JSON item and return it cleaned: schema names, no nulls."""
    return CslItem.model_validate(item).model_dump(by_alias=True, exclude_none=True)


def year_of(item: dict[str, Any]) -> int | None:
    """The year the work was issued, from ``date-parts`` or a 4-digit year in ``raw``/``literal``."""
    issued = item.get("issued") or {}
    parts = issued.get("date-parts") or []
    if parts and parts[0]:
        try:
            return int(parts[0][0])
        except (TypeError, ValueError):
            pass
    for text in (issued.get("raw"), issued.get("literal")):
        match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", text or "")
        if match:
            return int(match.group(1))
    return None


def joined_particle(particle: str | None, family: str) -> str:
    """A particle before a family name, joined as CSL engines print it: no space after a particle
    that ends in an apostrophe or hyphen ("d’" + "Alembert" -> "d’Alembert", "al-" + "Hakim")."""
    if not particle:
        return family
    if not family:
        return particle
    return particle + ("" if particle.endswith(("'", "\u2019", "-")) else " ") + family


def family_with_particle(name: dict[str, Any], dropping: bool = False) -> str:
    """The family name with its non-dropping particle (and, with ``dropping``, a dropping one
    where there is no non-dropping one), for formats that have no field for particles."""
    particle = name.get("non-dropping-particle") or (name.get("dropping-particle") if dropping else None)
    return joined_particle(particle, name.get("family") or "")


def name_display(name: dict[str, Any]) -> str:
    """``{family: Kim, given: Tack-Joong}`` -> ``Kim T-J`` (Vancouver-style, for display)."""
    if name.get("literal"):
        return name["literal"]
    family = family_with_particle(name)
    given = name.get("given") or ""
    initials = "-".join("".join(w[0] for w in part.split() if w) for part in given.replace(".", " ").split("-"))
    initials = initials.strip("-")
    return f"{family} {initials}".strip() if family else given


def authors_display(item: dict[str, Any]) -> str | None:
    names = item.get("author") or item.get("editor") or []
    return ", ".join(name_display(n) for n in names) or None


def first_author_family(item: dict[str, Any]) -> str | None:
    for name in item.get("author") or item.get("editor") or []:
        return name.get("family") or name.get("literal") or name.get("given")
    return None
