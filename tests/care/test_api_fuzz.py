"""schemathesis generates requests from the OpenAPI document for every API operation, as
a signed-in case manager: none may end in a server error (5xx)."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from .care import PASSWORD, Community

EXAMPLES = 20


def test_no_server_errors(app: Any, community: Community) -> None:
    client = TestClient(app, base_url="https://testserver")
    r = client.post("/api/v1/session", json={"username": "matron", "password": PASSWORD})
    token = r.json()["token"]
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    bearer = {"Authorization": f"Bearer {token}"}

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        signing_in = case.path == "/api/v1/session" and case.method.upper() == "POST"
        response = case.call(headers={} if signing_in else bearer)
        assert response.status_code < 500, (case.method, case.path, response.text[:500])

    for operation in operations:
        given(case=operation.as_strategy())(check)()
