"""The published OpenAPI description against the app itself: Schemathesis generates valid and invalid
requests for every operation and checks status codes, content types and response bodies."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings


@pytest.fixture(scope="module")
def api_schema(seed_index):
    from web import create_app

    app = create_app({"INDEX_DIR": str(seed_index)})
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schemathesis.hook
def filter_query(ctx, query):
    """Leave out ranges that end before they start: they are refused with a 400 (``reversed_range``),
    a rule between two parameters that OpenAPI 3.0 cannot state, so the description only says it."""
    start, end = (query or {}).get("from"), (query or {}).get("to")
    return not (isinstance(start, str) and isinstance(end, str) and start and end and start > end + "\uffff")


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_matches_its_description(case):
    # (the WSGI client does not decompress, as HTTP clients do: ask for the answer as is)
    case.call_and_validate(headers={"Accept-Encoding": "identity"})


def test_description_lists_every_json_route(seed_index):
    from web import create_app

    app = create_app({"INDEX_DIR": str(seed_index)})
    spec = app.test_client().get("/openapi.json").get_json()
    routes = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.endswith(".json") or rule.rule == "/healthz"
    } - {"/openapi.json"}
    assert set(spec["paths"]) == routes
