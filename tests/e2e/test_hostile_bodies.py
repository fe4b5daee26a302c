"""Broken request bodies over a real socket: a precise 400, never a 500, and nothing left behind."""

import socket
from urllib.parse import urlparse

import requests

from conftest import bearer

MLFLOW = "/api/mlflow/api/2.0/mlflow"


def raw_request(url, head, body):
    """Sends `head` and `body` as they are and returns the status line and the response text."""
    parsed = urlparse(url)
    with socket.create_connection((parsed.hostname, parsed.port), timeout=10) as connection:
        connection.sendall(head.encode() + body)
        received = b""
        while True:
            try:
                chunk = connection.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            received += chunk
            if b"\r\n\r\n" in received and (b'"}' in received or b"}" in received.split(b"\r\n\r\n", 1)[1]):
                break
    text = received.decode(errors="replace")
    return text.split("\r\n", 1)[0], text


def chunked_head(method, path, key):
    return (f"{method} {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {key}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")


def test_a_broken_chunked_upload_is_a_400_and_leaves_no_file(server):
    key = server.admin_key
    run = requests.post(server.url + MLFLOW + "/runs/create", json={"experiment_id": "0"}, headers=bearer(key), timeout=10).json()
    run_id = run["run"]["info"]["run_id"]
    path = f"/api/mlflow/api/2.0/mlflow-artifacts/artifacts/0/{run_id}/artifacts/broken.bin"
    status, text = raw_request(server.url, chunked_head("PUT", path, key), b"5\r\nhello\r\nZZ\r\nworld\r\n0\r\n\r\n")
    assert " 400 " in status, text
    assert "could not be read" in text
    listing = requests.get(server.url + MLFLOW + f"/artifacts/list?run_id={run_id}", headers=bearer(key), timeout=10).json()
    assert listing.get("files", []) == []


def test_a_broken_chunked_json_body_is_a_400_that_says_so(server):
    for path in (MLFLOW + "/experiments/create", "/api/v1/keys"):
        status, text = raw_request(server.url, chunked_head("POST", path, server.admin_key), b'4\r\n{"na\r\nQQ\r\n')
        assert " 400 " in status, (path, text)
        assert "could not be read" in text and "larger than" not in text, (path, text)
