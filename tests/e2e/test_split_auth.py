"""Split deployment: an auth process and a gateway on loopback; the auth process stops and comes back."""

import re
import time

import pytest
import requests

from conftest import Server, bearer, free_port

MLFLOW = "/api/mlflow/api/2.0/mlflow"


def auth_server(store_args, tmp_path):
    """`--role auth` on a fixed port, so it comes back where the gateway expects it after a restart."""
    (tmp_path / "auth").mkdir()
    auth = Server(
        store_args, tmp_path / "auth", port_flag=False,
        extra_args=["--role", "auth", "--trust-forwarded-for", "true", "--port", str(free_port())]).start()
    auth.admin_key = auth.printed_keys()[0]
    return auth


def gateway_server(store_args, tmp_path, auth, *extra):
    """`--role gateway` on its own store, checking keys with `auth`; a 1 s cache TTL so tests reach the auth service."""
    (tmp_path / "gateway").mkdir()
    return Server(
        other_store(store_args, "gw"), tmp_path / "gateway",
        extra_args=["--role", "gateway", "--auth-url", auth.url, "--auth-cache-ttl", "1", "--auth-timeout-ms", "1000", *extra]).start()


def other_store(store_args, name):
    """The same kind of store as `store_args`, but a separate one (another folder, another schema)."""
    args = list(store_args)
    args[args.index("--data-dir") + 1] += f"-{name}"
    if "--database-url" in args:
        index = args.index("--database-url") + 1
        args[index] = args[index].replace("schema=", f"schema={name}_")
    return args


@pytest.fixture
def split(store_args, tmp_path):
    auth = auth_server(store_args, tmp_path)
    gateway = gateway_server(store_args, tmp_path, auth, "--auth-breaker-failures", "2", "--auth-breaker-open-seconds", "1")
    yield auth, gateway
    gateway.stop()
    auth.stop()


def new_key(auth, user):
    reply = requests.post(auth.url + "/api/v1/keys", json={"name": user, "user_id": user}, headers=bearer(auth.admin_key), timeout=10)
    assert reply.status_code == 201, reply.text
    return reply.json()["api_key"]


def create_experiment(gateway, key, name):
    return requests.post(gateway.url + MLFLOW + "/experiments/create", json={"name": name}, headers=bearer(key), timeout=10)


def auth_state(gateway):
    return requests.get(gateway.url + "/api/health", timeout=10).json()["auth_service"]


def test_roles_serve_only_their_routes(split):
    auth, gateway = split
    assert gateway.printed_keys() == [], "a gateway's store holds no keys"
    key = new_key(auth, "alice")
    assert requests.get(auth.url + MLFLOW + "/experiments/search", headers=bearer(key), timeout=10).status_code == 404
    assert requests.get(gateway.url + "/api/v1/keys", headers=bearer(key), timeout=10).status_code == 404
    assert create_experiment(gateway, key, "through-the-gateway").status_code == 200
    revoked = new_key(auth, "bob")
    key_id = requests.get(auth.url + "/api/v1/keys", params={"user_id": "bob"}, headers=bearer(auth.admin_key), timeout=10).json()["keys"][0]["id"]
    requests.delete(f"{auth.url}/api/v1/keys/{key_id}", headers=bearer(auth.admin_key), timeout=10)
    refused = create_experiment(gateway, revoked, "nope")
    assert refused.status_code == 401 and refused.json()["error_code"] == "UNAUTHENTICATED"
    assert "revoked" in refused.json()["message"].lower()


def test_an_auth_outage_keeps_recent_keys_working_and_never_answers_401(split):
    auth, gateway = split
    known = new_key(auth, "alice")
    never_seen = new_key(auth, "carol")
    assert create_experiment(gateway, known, "before").status_code == 200
    auth.stop()
    time.sleep(1.2)  # past the 1 s cache TTL: the gateway has to ask, and cannot

    for attempt in range(3):
        reply = create_experiment(gateway, known, f"during-{attempt}")
        assert reply.status_code == 200, reply.text
    unknown = create_experiment(gateway, never_seen, "during-unknown")
    assert unknown.status_code == 503, unknown.text
    assert unknown.json()["error_code"] == "TEMPORARILY_UNAVAILABLE" and int(unknown.headers["Retry-After"]) >= 1
    state = auth_state(gateway)
    assert state["circuit_breaker"] in ("open", "half_open") and state["stale_uses"] >= 3
    ready = requests.get(gateway.url + "/ready", timeout=10)
    assert ready.status_code == 200, "recent keys still work, so the gateway stays ready"
    assert any(check["name"] == "auth_service" and not check["passed"] for check in ready.json()["checks"])
    metrics = requests.get(gateway.url + "/metrics", timeout=10).text
    assert 'hokusai_auth_breaker_state{state="open"} 1' in metrics
    stale = re.search(r'hokusai_auth_cache_total\{result="stale"\} (\d+)', metrics)
    assert stale and int(stale.group(1)) >= 3, metrics
    assert 'hokusai_auth_cache_total{result="miss"}' in metrics

    auth.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and auth_state(gateway)["circuit_breaker"] != "closed":
        create_experiment(gateway, known, f"probe-{time.monotonic()}")
        time.sleep(0.3)
    assert auth_state(gateway)["circuit_breaker"] == "closed"
    assert create_experiment(gateway, never_seen, "after").status_code == 200


def test_writes_can_be_paused_while_the_auth_service_is_down(store_args, tmp_path):
    auth = auth_server(store_args, tmp_path)
    gateway = gateway_server(store_args, tmp_path, auth, "--degraded-writes", "false")
    try:
        key = new_key(auth, "alice")
        created = create_experiment(gateway, key, "before")
        assert created.status_code == 200
        experiment_id = created.json()["experiment_id"]
        auth.stop()
        time.sleep(1.2)
        read = requests.get(gateway.url + MLFLOW + "/experiments/get", params={"experiment_id": experiment_id}, headers=bearer(key), timeout=10)
        assert read.status_code == 200
        write = create_experiment(gateway, key, "during")
        assert write.status_code == 503 and "reads only" in write.json()["message"]
    finally:
        gateway.stop()
        auth.stop()
