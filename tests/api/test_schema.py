"""The OpenAPI schema is valid, complete, and its readers are served from our own static files."""

import re

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path):
    # --fail-on-warn turns any endpoint drf-spectacular cannot describe into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = yaml.safe_load((tmp_path / "schema.yaml").read_text())
    assert "/api/v1/case-counts/bulk/" in schema["paths"]


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _writes_the_router_serves():
    """(method, path) of every PUT, PATCH and DELETE the API router routes, read from its viewsets."""
    from config.api_urls import router

    actions = {"update": "put", "partial_update": "patch", "destroy": "delete"}
    return {
        (method, f"/api/v1/{prefix}/{{id}}/")
        for prefix, viewset, _basename in router.registry
        for action, method in actions.items()
        if hasattr(viewset, action)
    }


def test_every_write_documents_if_match_and_its_errors(schema):
    # The writes are taken from the router, not from the schema, so a schema that lost its writes (or
    # an empty one) fails here instead of passing with nothing to check.
    writes = _writes_the_router_serves()
    assert len(writes) >= 3 * 20, sorted(writes)
    documented = {(m, path) for path, ops in schema["paths"].items() for m in ("put", "patch", "delete") if m in ops}
    assert documented == writes
    for method, path in sorted(writes):
        operation = schema["paths"][path][method]
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "If-Match" in headers, f"{method} {path}"
        assert {"403", "404", "412", "428", "429"} <= set(operation["responses"]), f"{method} {path}"


def test_lists_document_their_filters(schema):
    parameters = {p["name"] for p in schema["paths"]["/api/v1/delegated-powers/"]["get"]["parameters"]}
    assert {"region", "town", "type_code", "mode", "take_over_status", "delegated_after", "cursor"} <= parameters
    assert {"ordering", "search", "page_size"} <= parameters


def test_bulk_endpoint_has_examples(schema):
    operation = schema["paths"]["/api/v1/case-counts/bulk/"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["examples"]
    assert operation["responses"]["400"]["content"]["application/json"]["examples"]


@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_doc_pages_load_assets_from_our_own_static_files(client, page):
    html = client.get(page).content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts
    assert all(s.startswith(("/static/drf_spectacular_sidecar/", "/api/v1/")) for s in scripts)
    assert "cdn" not in html.lower()


def test_redoc_bundle_is_served_without_its_cdn_logo(client):
    response = client.get("/api/v1/redoc/redoc.standalone.js")
    assert response.status_code == 200
    assert b"Redoc" in response.content
    assert b"cdn.redoc.ly" not in response.content
