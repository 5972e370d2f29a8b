"""Pydantic models: every record is validated by one of these before it is written.

Readers produce a :class:`Document`; extraction turns it into :class:`Quote`, :class:`Claim`
and :class:`Finding` records. Field names match the column names in ``docs/schema.md``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Format = Literal["text", "markdown", "html"]
BlockKind = Literal["title", "heading", "paragraph", "list_item", "blockquote"]
QuoteKind = Literal["source", "term", "rhetorical", "title"]
SpeakerKind = Literal["person", "organization", "publication", "document", "group"]
AttributionKind = Literal["named", "vague", "none"]
ClaimCategory = Literal["mechanism", "efficacy", "safety", "anatomy", "comparison", "attribution", "statistic",
                        "policy", "other"]

# W3C TextQuoteSelector context length, in characters, on each side.
CONTEXT_CHARS = 32


def first_error(error: ValidationError, default: str = "record") -> str:
    """The first problem pydantic found, as ``field: message`` for a one-line error."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or default
    return f"{field}: {first['msg']}"


class Record(BaseModel):
    # Unknown fields are a bug at a boundary, not something to drop silently.
    model_config = ConfigDict(extra="forbid")


class Span(Record):
    """A half-open range ``[start, end)`` of the normalised article text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Block(Span):
    """One structural block of an article: a heading, paragraph, list item or block quote."""

    kind: BlockKind
    level: int | None = None


class Link(Span):
    """A hyperlink or DOI found in the article, anchored to the text it covers."""

    href: str
    doi: str | None = None


class Document(Record):
    """What a reader hands to extraction: normalised text plus its structure."""

    text: str
    format: Format
    title: str | None = None
    blocks: list[Block] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)

    @model_validator(mode="after")
    def _spans_inside_text(self) -> Document:
        n = len(self.text)
        for span in [*self.blocks, *self.links]:
            if span.end > n:
                raise ValueError(f"{type(span).__name__} {span.start}-{span.end} is past the text end {n}")
        return self


class Anchored(Span):
    """A record anchored to the article text with a W3C TextQuoteSelector context."""

    text: str
    prefix: str = ""
    suffix: str = ""
    section: str | None = None


class QuoteFragment(Span):
    """One piece of a quotation that an ellipsis splits; verified one by one."""

    seq: int = Field(ge=0)
    text: str


class Quote(Anchored):
    kind: QuoteKind
    attribution: str | None = None
    speaker: str | None = None
    attribution_kind: AttributionKind = "none"
    # Index into the extraction's speakers; ingest turns it into quotes.speaker_id.
    speaker_index: int | None = None
    partial: bool = False
    fragments: list[QuoteFragment] = Field(default_factory=list)


class Speaker(Record):
    """One person, body or publication an article credits; every mention resolves to one."""

    name: str = Field(min_length=1)
    kind: SpeakerKind
    description: str | None = None


class Claim(Anchored):
    category: ClaimCategory = "other"
    checkworthiness: float = Field(ge=0.0, le=1.0)
    reasons: list[str] = Field(default_factory=list)
    hedged: bool = False
    # Index into the extraction's quote list; ingest turns it into quotes.id.
    quote_index: int | None = None


# Every kind of finding the tool writes; docs/schema.md says what each means.
FindingKind = Literal[
    # extraction (claims.extract)
    "vague_attribution", "no_attribution", "near_duplicate_quote", "possible_overstatement",
    # evidence on links (claims.evidence)
    "population_mismatch", "intervention_mismatch", "no_supporting_source",
    "near_duplicate_quote_across_articles",
    # retraction checks (claims.lookup)
    "retracted_source",
    # article versions (claims.versions)
    "removed_in_new_version",
]  # fmt: skip


class Finding(Record):
    """An article-level problem; record references are indexes into the extraction's lists."""

    kind: FindingKind
    message: str
    quote_index: int | None = None
    related_quote_index: int | None = None
    claim_index: int | None = None


class Extraction(Record):
    quotes: list[Quote] = Field(default_factory=list)
    speakers: list[Speaker] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)


class Article(Record):
    title: str
    url: str | None = None
    location: str
    text: str
    sha256: str
    format: Format
    version: int = Field(ge=1)
    previous_id: int | None = None
    ingested_at: str


class FindingRow(Record):
    """A row of ``findings`` as written: every writer validates through this model."""

    kind: FindingKind
    message: str = Field(min_length=1)
    article_id: int | None = None
    quote_id: int | None = None
    related_quote_id: int | None = None
    claim_id: int | None = None
    source_id: int | None = None
    created_at: str


class CitationRow(Record):
    """The link fields of a ``citations`` row (the evidence fields are claims.evidence's)."""

    quote_id: int | None = None
    claim_id: int | None = None
    source_id: int
    relation: Literal["cited", "attributed", "candidate"]
    added_by: str = Field(min_length=1)
    added_at: str

    @model_validator(mode="after")
    def _one_target(self) -> CitationRow:
        if (self.quote_id is None) == (self.claim_id is None):
            raise ValueError("a citation links exactly one quote or one claim")
        return self
