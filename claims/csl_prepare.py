"""Pre-processing that makes citeproc-py print what citeproc-js prints for the same CSL items.

Each function works around one citeproc-py 0.x behaviour, found by comparing the two engines
entry by entry on real libraries (tests/test_formatting.py); the comments say which.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from .csl import NAME_VARIABLES, family_with_particle
from .csl_dates import collapse_ranges


def locale_name(locale: str | None, style_path: str) -> str:
    """The locale to format in: the one asked for, else the style's default-locale, else en-US."""
    from .formatting import ExportError

    if locale is None:
        text = Path(style_path).read_text(encoding="utf-8", errors="replace")[:4000]
        match = re.search(r'default-locale="([^"]+)"', text)
        return match.group(1) if match else "en-US"
    available = locales()
    if locale in available:
        return locale
    for name in available:
        if name.split("-")[0] == locale:
            return name
    raise ExportError(f"--locale {locale!r}: unknown locale; expected a CSL locale such as en-US, en-GB, de-DE, fr-FR")


def locales() -> list[str]:
    import citeproc

    folder = Path(citeproc.__file__).parent / "data" / "locales"
    return sorted(p.stem.removeprefix("locales-") for p in folder.glob("locales-*.xml"))


def locale_dir() -> Path:
    import citeproc

    return Path(citeproc.__file__).parent / "data" / "locales"


_TAGS = re.compile(r"</?(?:i|b|sup|sub|sc|span)(?:\s[^>]*)?>", re.IGNORECASE)


def plain_text(value: str) -> str:
    """CSL rich text (``<i>``, ``<b>``, ``<sup>``, ``<span class="nocase">``) as the plain text
    citeproc-js' text output gives; citeproc-py printed the tags."""
    return html.unescape(_TAGS.sub("", value)) if "<" in value or "&" in value else value


def prepare_items(items: Any, style: Any) -> list[dict[str, Any]]:
    """The items as citeproc-py should get them."""
    out = []
    for item in items:
        # `custom` is ours (claims.sources.PLACEHOLDERS); citeproc-py warns about it.
        item = {k: v for k, v in item.items() if k != "custom"}
        for name, value in list(item.items()):
            if isinstance(value, str) and name not in ("URL", "DOI", "id"):
                item[name] = typographic(plain_text(value))
            elif name in NAME_VARIABLES and isinstance(value, list):
                item[name] = [_name(n) for n in value if isinstance(n, dict)]
        for name in ("issue", "volume", "number"):
            # A numeric range is printed with an en dash ("17(2–3)"), as citeproc-js prints it.
            if isinstance(item.get(name), str) and re.fullmatch(r"\d+\s*-\s*\d+", item[name].strip()):
                item[name] = re.sub(r"\s*-\s*", "\u2013", item[name].strip())
        out.append(collapse_ranges(item))
    return out


def _name(name: dict[str, Any]) -> dict[str, Any]:
    name = {k: typographic(plain_text(v)) if isinstance(v, str) else v for k, v in name.items()}
    # A particle ending in an apostrophe or hyphen is joined to the family name without a space
    # ("d’Aubignac", "al-One"), as citeproc-js prints it; citeproc-py always put a space between.
    particle = name.get("non-dropping-particle")
    if isinstance(particle, str) and particle.endswith(("\u2019", "'", "-")) and name.get("family"):
        name["family"] = family_with_particle(name)
        name.pop("non-dropping-particle")
    return name


def _people_key(reference: Any) -> tuple[str, ...]:
    """Who a bibliography entry is by, as an author-date citation shows it: the authors, else
    the editors, else the title (APA's substitutes)."""
    for role in ("author", "editor", "director", "composer", "translator"):
        try:
            names = reference[role]
        except Exception:  # citeproc-py raises VariableError for an absent variable
            continue
        if names:
            return tuple(
                " ".join(str(n.get(p) or "") for p in ("non_dropping_particle", "family", "given", "literal")).casefold()
                for n in names
            )
    try:
        return ("title", str(reference["title"]).casefold())
    except Exception:
        return ("",)


def _year_key(reference: Any) -> str:
    try:
        issued = reference["issued"]
    except Exception:
        return "n.d."
    try:
        return str(issued.year)
    except Exception:
        return str(issued)


def assign_year_suffixes(bibliography: Any, style: Any) -> None:
    """Year suffixes (2013a, 2013b) for works by the same people in the same year, in bibliography
    order, as CSL's disambiguate-add-year-suffix asks; citeproc-py never adds them."""
    root = style.root
    citation = root.find("{http://purl.org/net/xbiblio/csl}citation")
    if citation is None or citation.get("disambiguate-add-year-suffix") != "true":
        return
    groups: dict[tuple[Any, ...], list[str]] = {}
    cited = _citation_texts(bibliography)
    for key in bibliography.keys:
        reference = bibliography.source[key]
        groups.setdefault((_people_key(reference), _year_key(reference), cited.get(key)), []).append(key)
    for keys in groups.values():
        if len(keys) < 2:
            continue
        for i, key in enumerate(keys):
            bibliography.source[key]["year_suffix"] = _suffix(i)


def _citation_texts(bibliography: Any) -> dict[str, str]:
    """Each item's in-text citation before any suffix: only works whose citations read the same
    are ambiguous (an untitled report cited by its description is not an untitled book)."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography

    scratch = CitationStylesBibliography(bibliography.style, bibliography.source, bibliography.formatter)
    scratch.items, scratch.keys = bibliography.items, bibliography.keys
    out = {}
    for key in bibliography.keys:
        citation = Citation([CitationItem(key)])
        citation.bibliography = scratch
        try:
            out[key] = str(scratch.cite(citation, lambda _item: None))
        except Exception:  # a style citeproc-py cannot cite with: fall back to people and year
            out[key] = ""
    return out


def _suffix(n: int) -> str:
    out = ""
    while True:
        out = chr(ord("a") + n % 26) + out
        n = n // 26 - 1
        if n < 0:
            return out


def expand_range(first: str, last: str) -> str:
    """``1204``-``22`` -> ``1222``: the last page in full, as a page-range-format expects to get it."""
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        full = first[: len(first) - len(last)] + last
        if int(full) >= int(first):
            return full
    return last


# ASCII quotes as citeproc-js prints them: an apostrophe is ’, a pair of "..." is “...”.
_APOSTROPHE = re.compile(r"(?<=\w)'|'(?=\d\d\b)|(?<=\s)'(?=\w+'?\s)")
_DOUBLE = re.compile(r'"([^"]+)"')


def typographic(value: str) -> str:
    if "'" in value:
        # ...and so is an elision's ("'s-Gravesande", "'t Hooft").
        value = re.sub(r"(?<=\w)'(?=\w)|(?<=\w)'(?=[\s).,;:!?\]]|$)|(?<=\s)'(?=\d\d\b)|(?<![\w'])'(?=[a-z]\b)", "\u2019", value)
    if '"' in value:
        value = _DOUBLE.sub("\u201c\\1\u201d", value)
    if "'" in value:
        # A remaining pair of single quotes around words is a quotation, printed as citeproc-js
        # prints a top-level one: “De unitate”.
        value = _SINGLE.sub("\u201c\\1\u201d", value)
    return value


_SINGLE = re.compile(r"(?<![\w'])'([^'\s][^']*?)['\u2019](?![\w])")
