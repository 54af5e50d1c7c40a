"""schemathesis generates requests from the OpenAPI document for every API operation, as
a signed-in case manager: none may end in a server error (5xx)."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from .care import PASSWORD, Community

EXAMPLES = 30


def test_no_server_errors(app: Any, community: Community) -> None:
    client = TestClient(app, base_url="https://testserver")
    r = client.post("/api/v1/session", json={"username": "matron", "password": PASSWORD})
    token = r.json()["token"]
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:
        signing_in = operation.path == "/api/v1/session" and operation.method.upper() == "POST"
        headers = {} if signing_in else {"Authorization": f"Bearer {token}"}

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any, headers: dict[str, str] = headers) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.path, response.text[:500])

        check()
