"""The sentence segmenter every step shares: pysbd, with its character offsets found in linear time.

pysbd (``char_span=True``, and even without it when ``clean=False``) finds where each sentence it
segmented sits by compiling a new regular expression from that sentence's text and scanning the
whole block from its start: a compile per sentence (which also floods ``re``'s module cache) and
time quadratic in a block's length. Measured on the scale corpus: a fifth of extraction time, and
the part that grows fastest with a long article. :class:`Segmenter` keeps pysbd's segmentation and
its rule for offsets (the first occurrence of the sentence, with the whitespace after it, that
ends past the previous one) but searches forward from the previous sentence with ``str.find``.
"""

from __future__ import annotations

import functools
from collections import OrderedDict

import pysbd
from pysbd.utils import TextSpan

# Blocks remembered: extraction and the cited-link step segment the same paragraphs of an
# article one after the other (the second is then free).
MEMO_BLOCKS = 1024


class Segmenter(pysbd.Segmenter):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._memo: OrderedDict[str, list[TextSpan]] = OrderedDict()

    def segment(self, text: str) -> list[TextSpan]:
        """pysbd's segments of ``text``, remembered for the last :data:`MEMO_BLOCKS` texts
        (segmentation is a pure function of the text)."""
        hit = self._memo.get(text)
        if hit is None:
            hit = self._memo[text] = super().segment(text)
            if len(self._memo) > MEMO_BLOCKS:
                self._memo.popitem(last=False)
        else:
            self._memo.move_to_end(text)
        return list(hit)

    def sentences_with_char_spans(self, sentences: list[str]) -> list[TextSpan]:
        text: str = self.original_text
        spans: list[TextSpan] = []
        prior_end = 0
        for sent in sentences:
            # An occurrence ending past prior_end starts no earlier than this.
            at = text.find(sent, max(0, prior_end - len(sent)))
            while at >= 0:
                end = at + len(sent)
                while end < len(text) and text[end].isspace():
                    end += 1
                if end > prior_end:
                    spans.append(TextSpan(text[at:end], at, end))
                    prior_end = end
                    break
                at = text.find(sent, at + 1)
        return spans


@functools.cache
def segmenter() -> Segmenter:
    """One per process: building a Segmenter compiles its rules. ``clean=False`` keeps the text
    intact so spans map back to the original; ``char_span`` gives the offsets."""
    return Segmenter(language="en", clean=False, char_span=True)
