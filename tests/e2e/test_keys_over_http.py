"""Keys through the real HTTP interface, as curl or any HTTP client sees it."""

import base64

import requests

from conftest import bearer, create_key


def test_a_created_key_works_in_every_placement(server):
    key, _ = create_key(server, user_id="alice")
    basic = base64.b64encode(f"mlflow:{key}".encode()).decode()
    for headers in (
        {"Authorization": f"Bearer {key}"},
        {"Authorization": f"bearer {key}"},
        {"Authorization": f"ApiKey {key}"},
        {"X-API-Key": key},
        {"Authorization": f"Basic {basic}"},
    ):
        reply = requests.get(server.url + "/api/v1/keys", headers=headers, timeout=10)
        assert reply.status_code == 200, (list(headers), reply.text)
        assert reply.headers["X-RateLimit-Limit"] == "1000"
    for headers in ({"Authorization": f"Bearer {key}"}, {"X-API-Key": key}, {"Authorization": f"ApiKey {key}"}):
        assert requests.post(server.url + "/api/v1/keys/validate", headers=headers, json={"service_id": "platform"}, timeout=10).json()["code"] == "VALID"
    body = requests.post(server.url + "/api/v1/keys/validate", json={"api_key": key, "service_id": "platform"}, timeout=10)
    assert body.status_code == 200 and body.json()["is_valid"] is True and body.json()["user_id"] == "alice"


def test_refusals_say_exactly_what_is_wrong(server):
    key, key_id = create_key(server, user_id="alice")
    changed = key[:-1] + ("A" if key[-1] != "A" else "B")
    malformed = requests.get(server.url + "/api/v1/keys", headers=bearer(changed), timeout=10)
    assert malformed.status_code == 401 and malformed.json()["error"] == "MALFORMED"
    wrong_service = requests.post(server.url + "/api/v1/keys/validate", json={"api_key": key, "service_id": "ml-platform"}, timeout=10)
    assert wrong_service.status_code == 401 and wrong_service.json()["code"] == "WRONG_SERVICE"
    assert "'platform'" in wrong_service.json()["message"] and "'ml-platform'" in wrong_service.json()["message"]
    in_query = requests.get(server.url + "/api/v1/keys", params={"api_key": key}, timeout=10)
    assert in_query.status_code == 400 and "header" in in_query.json()["message"]
    revoked = requests.delete(server.url + f"/api/v1/keys/{key_id}", headers=bearer(server.admin_key), timeout=10)
    assert revoked.status_code == 200
    after = requests.get(server.url + "/api/v1/keys", headers=bearer(key), timeout=10)
    assert after.status_code == 401 and after.json()["error"] == "REVOKED"
    assert after.json()["detail"] == "Invalid or expired API key"


def test_past_its_hourly_limit_a_key_gets_429(server):
    key, _ = create_key(server, user_id="alice", rate_limit_per_hour=10)
    for _ in range(10):
        assert requests.get(server.url + "/api/v1/keys", headers=bearer(key), timeout=10).status_code == 200
    refused = requests.get(server.url + "/api/v1/keys", headers=bearer(key), timeout=10)
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["error"] == "RATE_LIMITED"


def test_unknown_routes_and_methods_and_bad_json_answer_json(server):
    missing = requests.get(server.url + "/api/v1/nope", headers=bearer(server.admin_key), timeout=10)
    assert missing.status_code == 404 and missing.json()["error"] == "NOT_FOUND"
    wrong = requests.patch(server.url + "/api/v1/keys", headers=bearer(server.admin_key), timeout=10)
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    broken = requests.post(server.url + "/api/v1/keys", data="{", headers={**bearer(server.admin_key), "Content-Type": "application/json"}, timeout=10)
    assert broken.status_code == 400 and broken.json()["error"] == "INVALID_JSON"
