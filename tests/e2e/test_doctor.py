"""`hokusai doctor` against healthy and broken deployments: the report names the broken layer."""

import json

import requests

from conftest import BINARY, Server, bearer, create_key, free_port, run_cli
from test_mlflow_proxy import real_mlflow  # noqa: F401 (a fixture)
from test_split_auth import auth_server, gateway_server


def doctor(url, key=None, *args):
    env = {"HOKUSAI_API_KEY": key} if key else {}
    result = run_cli("doctor", "--url", url, "--format", "json", *args, env=env, check=False)
    return result.returncode, json.loads(result.stdout)


def diagnoses(report):
    return [check["diagnosis"] for check in report["checks"] if check["outcome"] == "fail" and "diagnosis" in check]


def test_a_healthy_server_passes_every_stage_and_is_left_clean(server):
    code, report = doctor(server.url, server.admin_key)
    assert code == 0 and report["verdict"] == "healthy", json.dumps([c for c in report["checks"] if c["outcome"] != "pass"])
    assert {stage["stage"] for stage in report["stages"]} == {"infra", "auth", "tracking", "artifacts", "registry"}
    models = requests.get(server.url + "/api/mlflow/api/2.0/mlflow/registered-models/search", headers=bearer(server.admin_key), timeout=10)
    assert models.json().get("registered_models", []) == [], "the doctor's model was deleted"
    experiments = requests.post(server.url + "/api/mlflow/api/2.0/mlflow/experiments/search", json={"view_type": "ACTIVE_ONLY"},
                                headers=bearer(server.admin_key), timeout=10).json()["experiments"]
    assert [e["name"] for e in experiments] == ["Default"], "the doctor's experiment was deleted"
    markdown = run_cli("doctor", "--url", server.url, "--format", "markdown", "--stages", "infra", env={"HOKUSAI_API_KEY": server.admin_key})
    assert "**Verdict: healthy**" in markdown.stdout and server.admin_key not in markdown.stdout


def test_key_problems_are_named(server):
    key, key_id = create_key(server, user_id="someone")
    requests.delete(f"{server.url}/api/v1/keys/{key_id}", headers=bearer(server.admin_key), timeout=10)
    code, report = doctor(server.url, key, "--stages", "infra,auth")
    assert code == 2 and any(d["layer"] == "API key" and "revoked" in d["cause"] for d in diagnoses(report))

    reader, _ = create_key(server, user_id="reader", scopes=["read"])
    code, report = doctor(server.url, reader, "--stages", "auth,tracking")
    assert code == 1, "tracking fails but authentication works: degraded"
    assert any(d["layer"] == "API key" and "scope" in d["cause"] for d in diagnoses(report))


def test_an_auth_service_outage_is_not_blamed_on_the_key(store_args, tmp_path):
    auth = auth_server(store_args, tmp_path)
    gateway = gateway_server(store_args, tmp_path, auth)
    try:
        reply = requests.post(auth.url + "/api/v1/keys", json={"name": "d", "user_id": "d"}, headers=bearer(auth.admin_key), timeout=10)
        key = reply.json()["api_key"]
        auth.stop()
        code, report = doctor(gateway.url, key, "--stages", "infra,auth")
        assert code == 2
        found = diagnoses(report)
        assert any(d["layer"] == "auth service" for d in found), found
        assert not any(d["layer"] == "API key" for d in found)
    finally:
        gateway.stop()
        auth.stop()


def test_an_unreachable_upstream_and_a_missing_server_are_named(tmp_path):
    closed = f"http://127.0.0.1:{free_port()}"
    gateway = Server(["--data-dir", str(tmp_path / "data")], tmp_path, extra_args=["--mlflow-upstream", closed]).start()
    try:
        code, report = doctor(gateway.url, gateway.printed_keys()[0], "--stages", "infra,tracking")
        assert code == 2 and any(d["layer"] == "upstream MLflow" for d in diagnoses(report))
    finally:
        gateway.stop()
    code, report = doctor(closed, None, "--stages", "infra")
    assert code == 2 and diagnoses(report)[0]["layer"] == "network/TLS"


def test_a_bare_mlflow_server_is_reported_as_unauthenticated(real_mlflow):
    code, report = doctor(real_mlflow, None)
    assert code == 2
    [finding] = diagnoses(report)
    assert "no authentication is in place" in finding["cause"]
    assert any(c["name"] == "tracking URI" and c["outcome"] == "pass" for c in report["checks"])
    assert next(s for s in report["stages"] if s["stage"] == "tracking")["passed"] > 0
