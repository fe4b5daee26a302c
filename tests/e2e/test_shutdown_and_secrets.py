"""Graceful shutdown, and keys that never leak into logs or the database file."""

import signal
from pathlib import Path

import pytest
import requests

from conftest import KEY_PATTERN, Server, bearer, create_key


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_shutdown_is_graceful_and_writes_pending_state(store_args, tmp_path, sig):
    server = Server(store_args, tmp_path).start()
    admin = server.printed_keys()[0]
    key, key_id = create_key(type("S", (), {"url": server.url, "admin_key": admin}), user_id="alice")
    assert requests.get(server.url + "/api/v1/keys", headers=bearer(key), timeout=10).status_code == 200
    # last_used_at is written behind every 10 s; a graceful stop must write it before exiting.
    assert server.stop(sig) == 0
    server.start()
    try:
        info = requests.get(server.url + f"/api/v1/keys/{key_id}", headers=bearer(admin), timeout=10).json()
        assert info["last_used_at"] is not None
    finally:
        server.stop()


def test_keys_never_reach_the_logs_or_the_database_file(store_args, tmp_path):
    server = Server(store_args, tmp_path, extra_args=["--log-level", "trace"]).start()
    admin = server.printed_keys()[0]
    handle = type("S", (), {"url": server.url, "admin_key": admin})
    key, key_id = create_key(handle, user_id="alice")
    guess = "hk_live_" + "A" * 26 + "000000"
    requests.get(server.url + "/api/v1/keys", headers=bearer(key), timeout=10)
    requests.get(server.url + "/api/v1/keys", params={"api_key": key}, timeout=10)
    requests.get(server.url + "/api/v1/keys", headers={"X-Request-ID": key, "X-API-Key": guess}, timeout=10)
    requests.post(server.url + "/api/v1/keys/validate", json={"api_key": key}, timeout=10)
    requests.post(server.url + f"/api/v1/keys/{key_id}/rotate", headers=bearer(admin), json={"grace_seconds": 0}, timeout=10)
    requests.get(server.url + "/api/v1/keys", headers=bearer(key), timeout=10)
    assert server.stop() == 0
    assert KEY_PATTERN.findall(server.stderr) == [], "a key-shaped string is in the server log"
    assert set(KEY_PATTERN.findall(server.stdout)) == {admin}, "only the first-start banner shows a key"
    data = Path(store_args[1])
    for path in data.glob("hokusai.sqlite*"):
        content = path.read_bytes()
        for secret in (admin, key):
            assert secret.encode() not in content, f"key found in {path.name}"


def test_a_request_in_flight_at_sigterm_is_answered(store_args, tmp_path):
    """The request has started (headers and half its body sent) when SIGTERM arrives; it must
    still complete and be answered before the process exits."""
    import socket
    import time
    from urllib.parse import urlparse

    server = Server(store_args, tmp_path).start()
    admin = server.printed_keys()[0]
    address = urlparse(server.url)
    body = b'{"name": "in flight", "user_id": "alice"}'
    head = (
        f"POST /api/v1/keys HTTP/1.1\r\nHost: {address.netloc}\r\nAuthorization: Bearer {admin}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(head + body[:10])
        time.sleep(0.3)
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        connection.sendall(body[10:])
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 201"), reply[:200]
    assert server.process.wait(timeout=30) == 0
