"""schemathesis against the OpenAPI schema (SQLite and PostgreSQL): no 5xx anywhere, responses match their schemas.

Bounded: a few examples per operation (``LAPOR_SCHEMATHESIS_EXAMPLES``, default 25) so the suite stays fast.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import response_schema_conformance

from fixtures.service_app import create_keys, start_service, wipe

EXAMPLES = int(os.environ.get("LAPOR_SCHEMATHESIS_EXAMPLES", "25"))
STATE: dict = {}
ROUTES = {("POST", "/v1/complaints"), ("POST", "/v1/complaints/batch"), ("GET", "/v1/complaints"),
          ("GET", "/v1/complaints/{complaint_id}"), ("POST", "/v1/complaints/{complaint_id}/decision"),
          ("POST", "/v1/complaints/{complaint_id}/response"), ("GET", "/v1/review"), ("GET", "/v1/stats"),
          ("GET", "/v1/recurring"), ("GET", "/v1/complaints/{cid}/recurring"), ("GET", "/v1/models"),
          ("GET", "/v1/models/{version}"), ("POST", "/v1/models/{version}/promote"),
          ("GET", "/open311/v2/services.{fmt}"), ("GET", "/open311/v2/requests.{fmt}"),
          ("GET", "/open311/v2/requests/{service_request_id}.{fmt}")}


@pytest.fixture(scope="module")
def api_schema(database_url, demo_model):
    url = database_url
    wipe(url)
    app, client = start_service(url, demo_model)
    with client:
        keys = create_keys(app.state.db)
        STATE["headers"] = {"Authorization": f"Bearer {keys['admin']}"}
        h = STATE["headers"]
        # something to find: complaints in several states
        made = [client.post("/v1/complaints", json={"text": text}, headers=h).json()
                for text in ("Jalan rusak parah di desa Onto", "pak tolong itu yang kemarin belum juga",
                             "Guru SD sering tidak masuk kelas")]
        # … a merged one (ids 1-3 are what generated path ids hit most), a routed and answered one
        client.post(f"/v1/complaints/{made[1]['id']}/decision", headers=h,
                    json={"action": "merge", "duplicate_of": made[0]["id"], "expected_version": made[1]["version"]})
        r = client.post(f"/v1/complaints/{made[2]['id']}/decision", headers=h,
                        json={"action": "route", "opd": "Dinas Sosial", "expected_version": made[2]["version"]})
        assert r.status_code == 200, r.text
        client.post(f"/v1/complaints/{made[2]['id']}/response", json={"text": "Sudah ditindaklanjuti."}, headers=h)
        try:
            yield schemathesis.openapi.from_asgi("/openapi.json", app)
        finally:
            # schemathesis runs the app's lifespan a second time and keeps it until the interpreter exits: its
            # background threads then outlive this module's database (on PostgreSQL they logged, after the run,
            # that the dropped schema's tables were gone)
            shutdown_lifespans()


def test_no_server_errors(api_schema):
    """Every operation, EXAMPLES generated requests each (schemathesis' pytest fixture loader does not
    support this pytest version, so the operations are iterated here)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {(op.method.upper(), op.path) for op in operations} >= ROUTES  # the schema has every route, new ones too
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=STATE["headers"], checks=[not_a_server_error, response_schema_conformance])

        try:
            check()
        except Exception as exc:
            raise AssertionError(f"{operation.method.upper()} {operation.path}: {exc}") from exc
