"""Extract quotes, check-worthy claims and consistency findings from one article.

``extract(doc)`` takes the :class:`~claims.models.Document` a reader built and returns an
:class:`~claims.models.Extraction`. Every record's ``start``/``end`` index ``doc.text`` exactly;
``prefix``/``suffix`` are the W3C TextQuoteSelector context (``CONTEXT_CHARS`` each side). The
language rules (hedges, attribution, check-worthiness, categories) live in :mod:`claims.rules`; the steps live in
:mod:`.common`, :mod:`.quotes`, :mod:`.attribution`, :mod:`.claims` and :mod:`.findings`.

Quotes
    Straight and curly double quotes (and « », „ “) are paired within a block. Single quotes are
    quote marks only at top level, never inside words (it’s, don’t) and never inside a double
    quotation, where they are a nested quote and stay part of the outer quotation's text. A
    Markdown/HTML block quote (consecutive ``blockquote`` blocks) is one quotation, its marks
    stripped if it has them; so is a paragraph that is entirely one quotation. A block quote that
    holds only quotations in marks and their credits (``> “It works,” said a salesperson.``,
    ``> According to researchers, “...”``) is read like running text instead: each marked span is
    a quotation, credited by the words beside it; marks around a term or a nested quotation in a
    block quote's own prose leave it one quotation. ``Quote.text`` never includes the quote
    marks. An ellipsis (… , ..., [...]) splits a quotation into ``Quote.fragments``; every quote
    has at least one fragment so later checks can verify fragments uniformly.

    Kinds: ``rhetorical`` — a question put in the reader's mouth (“Can you…?” you might be
    wondering); ``term`` — a word or phrase in scare quotes or introduced as a name (the phrase
    “X”, so-called “X”); ``source`` — someone's words: a block quotation, a quotation credited with
    a speech verb (“...,” she said; experts say “...”), or an unattributed quotation of
    :data:`claims.rules.SOURCE_MIN_WORDS` words or more. Quotes joined by "and"/"or" share their
    attribution (Experts say X “a” and “b”).

    A paragraph without quote marks after a lead-in that ends in ":" and credits someone with an
    attribution verb ("Dr. Smith explained:") is a quotation too, like a block quotation; a colon
    before a list or without such a verb ("we're going to dig into:") introduces no one's words.

    Attribution of a block quotation comes from a lead-in (the previous paragraph's last sentence
    ending in ":" — "As one study noted:" — or "she said,"), or from a credit after it: a dash line
    ("— Dr. Jane Smith"), a dash credit ending its last paragraph, or a last line that only names
    a source (an HTML ``<cite>``). An inline quotation ending its sentence may be credited by the
    next sentence pointing back at it ("That is how Dr. Smith put it.";
    :data:`claims.rules.CREDIT_SENTENCE`). ``named`` when it names a person, body or publication
    (Dr. Jane Smith, Park said, the FDA, Harvard researchers, the Journal of X, a study in JAMA
    Dermatology); ``vague`` when a phrase signals a source but names none (one study, a review,
    experts say, research shows, "In clinical terms:" — a lead-in by position still claims a
    source); ``none`` when nothing credits the words. A credit after the quotation runs to the end of its sentence
    as pysbd finds it, so "said Dr. Anna Park." keeps its title.

Claims
    Paragraph and list-item blocks are split into sentences by pysbd (one module-level
    Segmenter), each mapped back to exact, whitespace-stripped offsets. A sentence is scored on the
    article's own words: source and rhetorical quotations inside it are masked out first. Headings
    are never claims, nor are questions, instructions and calls to action, asides, talk about the
    post itself, lead-ins that only introduce a quotation, and list fragments without a verb.

    Decision: a quotation is a quote record, not a claim. Block quotations and quotation
    paragraphs produce no claims; a sentence that contains a quotation is a claim only if its own
    words (quotation masked) make one ("Experts say X “...”, but the evidence is thin.").
    ``Claim.quote_index`` points at the quotation a claim leans on: one inside the sentence, or one
    the article presents as its evidence — the answer or conclusion right after it, a first
    statement that continues it, and, until the next heading or source quotation, sentences that
    conclude ("So no, it’s not hype.") or appeal to evidence ("rooted in research") or to
    authority ("experts agree"; :data:`claims.rules.AUTHORITY_APPEAL`); see
    :class:`_Links`. A claim's hedges are looked for in its main clause only: "might" in "while the
    term might sound" or "the way surgical lifts might" qualifies no assertion.

Findings (``Finding.kind``)
    ``near_duplicate_quote`` — two source quotes share most of their wording (rapidfuzz
    token_set_ratio over normalised text) but differ in wording or attribution; each quote is
    paired with at most one earlier quote, so the output stays linear in article size. Its message
    says each fact once: both quotes with their credits, how similar, where the wording differs.
    ``vague_attribution`` / ``no_attribution`` — a source quote credited to no one in particular,
    or to nobody (only when nothing credits it). ``possible_overstatement`` — an unhedged claim
    leaning on a hedged quotation ("the data suggest", "limited sample sizes", "promising", "the
    trials were small") that states an effect as settled, also by appeal to authority ("So experts
    agree it works."); a negated limit ("it won't replace your injector") or a platitude with no
    effect word is not one.

Everything is linear in the article's size: blocks, sentences and quotes are visited a bounded
number of times; the only pairwise step compares distinct quote texts that share rare words.
"""

from __future__ import annotations

from .. import rules
from ..checkworthiness import shipped
from ..models import Document, Extraction
from .attribution import _classify_quotes, _quote_record
from .claims import _claim_record, _score_sentences
from .common import _sections, _sentences
from .crediting import credit_quotes
from .findings import _attribution_findings, _near_duplicate_findings, _overstatement_findings
from .quotes import _find_quotes

__all__ = ["extract"]


def extract(doc: Document) -> Extraction:
    """Quotes, claims and findings for one article; offsets index ``doc.text``."""
    text = doc.text
    folded = rules.fold(text)
    blocks = sorted(doc.blocks, key=lambda b: (b.start, b.end))
    sections = _sections(text, blocks)

    sentences = _sentences(text, blocks)
    sentence_starts = [s.start for s in sentences]
    spans = _find_quotes(text, blocks, sentences, sentence_starts)
    infos = _classify_quotes(text, folded, blocks, spans, sentences, sentence_starts)
    speakers = credit_quotes(text, blocks, sentences, sentence_starts, infos)
    quotes = [_quote_record(text, info, sections) for info in infos]

    scored = _score_sentences(text, folded, blocks, sentences, infos)
    threshold = shipped().threshold
    claim_scored = [s for s in scored if s.excluded is None and s.score >= threshold]
    claims = [_claim_record(text, s, sections) for s in claim_scored]

    findings = _attribution_findings(quotes)
    findings += _near_duplicate_findings(quotes)
    findings += _overstatement_findings(quotes, claims, [s.own for s in claim_scored])
    return Extraction(quotes=quotes, speakers=speakers, claims=claims, findings=findings)
