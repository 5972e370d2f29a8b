"""How citeproc-py 0.x finds variables and terms and judges groups, where it differs from CSL 1.0.2.

1. Variables with a hyphen in their name (``script-writer``, ``reviewed-author``,
   ``container-author``, ``collection-editor``...) are stored with an underscore; ``cs:names``
   looked them up as written and never found one, so APA lost "(Writers)" and "by M. Pollan".
2. A ``cs:group`` is suppressed when it calls variables and all of them are empty (CSL 1.0.2,
   group). citeproc-py decided whether a ``cs:choose`` child calls a variable from all of its
   branches, not the one taken: APA's "(Publication)" group for a thesis with a genre but no
   number survived, because another branch prints the genre.
3. A term form the locale does not define falls back (CSL 1.0.2, terms): verb-short to verb,
   symbol to short, then to the long form. APA's "by" before a reviewed author is the
   reviewed-author term's verb form; citeproc-py found no verb-short and printed nothing.
4. A label's plural is judged on the item's value: citeproc-py read ``number-of-pages`` from the
   citation instead of the reference, failed, and Vancouver lost the "p." of "253 p."; and a
   number with thousands separators is one number ("U.S. Patent No. 9,367,592").
5. Only a range of numbers is a page range: "No-Specified" keeps its hyphen (citeproc-js), where
   citeproc-py made it "No–Specified".
"""

from __future__ import annotations

import re

_PATCHED = False


def patch() -> None:
    global _PATCHED
    if _PATCHED:
        return
    from citeproc import model
    from citeproc.source import Reference, VariableError

    def contains(self, key):  # type: ignore[no-untyped-def]
        if dict.__contains__(self, key):
            return True
        alias = key.replace("-", "_") if isinstance(key, str) else key
        return alias != key and dict.get(self, alias) not in (None, "", [])

    original_getitem = Reference.__getitem__

    def getitem(self, key):  # type: ignore[no-untyped-def]
        if isinstance(key, str) and "-" in key and not dict.__contains__(self, key):
            key = key.replace("-", "_")
        return original_getitem(self, key)

    def get(self, key, default=None):  # type: ignore[no-untyped-def]
        if isinstance(key, str) and "-" in key and not dict.__contains__(self, key):
            key = key.replace("-", "_")
        return dict.get(self, key, default)

    Reference.get = get  # type: ignore[method-assign]
    Reference.__contains__ = contains  # type: ignore[method-assign]
    Reference.__getitem__ = getitem  # type: ignore[method-assign]

    def choose_render(self, item, context=None, delimiter="", **kwargs):  # type: ignore[no-untyped-def]
        self._claims_taken = None
        for child in self.getchildren():
            try:
                text = child.render(item, context=context, delimiter=delimiter, **kwargs)
            except model.ConditionFailed:
                continue
            self._claims_taken = child
            return text
        return None

    def calls(child) -> bool:  # type: ignore[no-untyped-def]
        if isinstance(child, model.Choose):
            taken = getattr(child, "_claims_taken", None)
            return taken is not None and taken.calls_variable()
        return child.calls_variable()

    def group_process(self, item, context=None, **kwargs):  # type: ignore[no-untyped-def]
        output = []
        variable_called = variable_rendered = False
        delimiter = self.get("delimiter", "")
        for child in self.iterchildren():
            try:
                if isinstance(child, model.Choose):
                    child_text = child.render(item, context=context, delimiter=delimiter, **kwargs)
                else:
                    child_text = child.render(item, context=context, **kwargs)
            except VariableError:
                child_text = None
            called = calls(child)
            variable_called = variable_called or called
            if child_text is not None:
                output.append(child_text)
                variable_rendered = variable_rendered or called
        if output and (not variable_called or variable_rendered):
            return self.join(output)
        raise VariableError

    fallbacks = {"verb-short": "verb", "symbol": "short", "verb": None, "short": None}
    owner = next(cls for cls in model.CitationStylesElement.__mro__ if "get_term" in vars(cls))
    original_get_term = owner.get_term

    def get_term(self, name, form=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        term = original_get_term(self, name, form, *args, **kwargs)
        while term is None and form in fallbacks:
            form = fallbacks[form]
            term = original_get_term(self, name, form, *args, **kwargs)
        return term

    owner.get_term = get_term

    original_is_plural = model.Label._is_plural

    def is_plural(self, item):  # type: ignore[no-untyped-def]
        variable = self.get("variable") or ""
        if not variable.startswith("number-of"):
            try:
                value = item.reference[variable.replace("-", "_")] if variable != "locator" else None
            except VariableError:
                return False
            if value is None:
                return original_is_plural(self, item)
            text = "".join(str(v) for v in value) if isinstance(value, list) else str(value)
            # "9,367,592" is one number (thousands separators), "18-2424" and "1, 3" are several.
            return bool(self.RE_MULTIPLE_NUMBERS.search(re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)))
        value = item.reference.get(variable)
        value = "".join(str(v) for v in value) if isinstance(value, list) else str(value or "")
        return value.strip().isdigit() and int(value) > 1

    model.Label._is_plural = is_plural

    original_number = model.FormatNumber._process

    def format_number(self, value, variable):  # type: ignore[no-untyped-def]
        text = str(value)
        if "-" in text and not re.search(r"\d\s*-\s*\w*\d", text):
            return text
        return original_number(self, value, variable)

    model.FormatNumber._process = format_number
    model.Choose.render = choose_render
    model.Group.process = group_process
    _PATCHED = True
