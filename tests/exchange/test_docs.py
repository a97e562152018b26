"""OpenAPI description and its documentation page: served locally, nothing from a CDN."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def refs(node) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(refs(value) for value in node))
    return set()


def test_the_openapi_schema_lists_the_three_endpoints(client):
    response = client.get("/api/v1/openapi.json")  # no login: partners' developers read it
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "levier" and schema["info"]["version"] == "1"
    assert set(schema["paths"]) == {
        "/api/v1/enquiries",
        "/api/v1/enquiries/{reference}",
        "/api/v1/topics",
    }
    create = schema["paths"]["/api/v1/enquiries"]["post"]
    assert create["summary"] == "Créer une sollicitation"
    assert {"201", "200", "401", "403", "413", "415", "422", "429"} <= set(create["responses"])
    form = create["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"subject", "message", "email", "files"} <= set(form["properties"])
    assert schema["components"]["securitySchemes"]["PartnerToken"]["scheme"] == "bearer"
    for ref in refs(schema):  # every reference resolves
        node = schema
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]


def test_the_docs_page_loads_with_no_external_url(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page and "/api/v1/openapi.json" in page
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page, re.IGNORECASE), page
    assets = re.findall(r'(?:src|href)="(/api/v1/docs/assets/[^"]+)"', page)
    assert len(assets) == 4
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert b"".join(served.streaming_content)


def test_only_the_listed_assets_are_served(client):
    assert client.get("/api/v1/docs/assets/redoc.standalone.js").status_code == 404
    assert client.get("/api/v1/docs/assets/..%2F..%2F__init__.py").status_code == 404
