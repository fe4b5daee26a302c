"""A newcomer's first minutes: one command, an admin key printed once, probes and a clear 401."""

import requests

from conftest import Server, bearer, free_port


def test_first_start_prints_an_admin_key_once_and_never_again(store_args, tmp_path):
    server = Server(store_args, tmp_path).start()
    try:
        keys = server.printed_keys()
        assert len(keys) == 1
        assert "curl -H \"Authorization: Bearer $HOKUSAI_API_KEY\"" in server.stdout
        assert requests.get(server.url + "/api/v1/keys", headers=bearer(keys[0]), timeout=10).status_code == 200
    finally:
        assert server.stop() == 0
    server.start()
    try:
        assert server.printed_keys() == [], "a later start must not print a key"
        assert requests.get(server.url + "/api/v1/keys", headers=bearer(keys[0]), timeout=10).status_code == 200
    finally:
        server.stop()


def test_health_is_open_and_keys_need_a_key(server):
    health = requests.get(server.url + "/health", timeout=10)
    assert health.status_code == 200
    assert health.json()["version"]
    ready = requests.get(server.url + "/ready", timeout=10)
    assert ready.status_code == 200 and ready.json()["ready"] is True
    refused = requests.get(server.url + "/api/v1/keys", timeout=10)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "API key required"
    assert refused.json()["error"] == "MISSING"
    assert refused.headers["X-Request-ID"] == refused.json()["request_id"]


def test_settings_come_from_environment_variables_too(tmp_path):
    port = free_port()
    env = {"HOKUSAI_DATA_DIR": str(tmp_path / "from-env"), "HOKUSAI_PORT": str(port), "HOKUSAI_LOG_LEVEL": "warning"}
    server = Server([], tmp_path, env=env, port_flag=False, extra_args=["--log-level", "info"]).start()
    try:
        assert server.url == f"http://127.0.0.1:{port}"
        assert (tmp_path / "from-env" / "hokusai.sqlite").exists()
        # The flag wins over the variable: info lines are logged.
        assert " info " in server.stderr
    finally:
        server.stop()
