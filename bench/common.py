"""What the benchmark scripts share: starting a fresh server and calling its MLflow API."""

import json
import urllib.request
from pathlib import Path

from servers import start_hokusai, start_mlflow

ROOT = Path(__file__).resolve().parents[1]


def call(url, key, path, body=None):
    request = urllib.request.Request(
        url + "/api/mlflow/api/2.0/mlflow/" + path,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"{}")


def start_server(binary, data_dir, *extra):
    """Starts `hokusai serve` on a free port with a fresh data folder; returns (process, url, admin key)."""
    server = start_hokusai(binary, data_dir, *extra)
    return server.process, server.url, server.key


def start_mlflow_server(folder, port):
    """A real `mlflow server` (the venv's mlflow) on loopback with artifacts served; returns (process, url)."""
    server = start_mlflow(folder, 1, port)
    return server.process, server.url
