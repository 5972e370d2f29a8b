"""The example database as reviewers first see it in Datasette: metadata, facets and order."""

from __future__ import annotations

import pytest

from tests.conftest import make_ds


@pytest.fixture
def ds(built_db):
    return make_ds(built_db)


@pytest.mark.asyncio
async def test_metadata_describes_the_tables(ds):
    response = await ds.client.get("/claims/quotes")
    assert response.status_code == 200
    assert "Every quotation in every article" in response.text
    for table in ("articles", "quotes", "claims", "sources", "findings"):
        assert (await ds.client.get(f"/claims/{table}.json")).status_code == 200


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "table, facets",
    [("quotes", {"kind", "attribution_kind"}), ("claims", {"category", "section", "hedged"})],
)
async def test_default_facets(ds, table, facets):
    data = (await ds.client.get(f"/claims/{table}.json?_extra=facet_results")).json()
    assert facets <= set(data["facet_results"]["results"])


@pytest.mark.asyncio
async def test_rows_are_in_article_order(ds):
    rows = (await ds.client.get("/claims/claims.json?_shape=array&_size=max")).json()
    starts = [(row["article_id"], row["start"]) for row in rows]
    assert len(starts) > 10 and starts == sorted(starts)


@pytest.mark.asyncio
async def test_vague_source_quotes_are_browsable(ds):
    rows = (await ds.client.get("/claims/quotes.json?kind=source&attribution_kind=vague&_shape=array")).json()
    assert rows, "the example's unnamed sources should show as vague attributions"
    assert all(row["speaker"] is None for row in rows)
