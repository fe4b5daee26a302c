"""What the benchmark scripts share: starting a fresh server and calling its MLflow API."""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEY_PATTERN = re.compile(r"hk_live_[0-9A-Za-z]{32}")


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
    process = subprocess.Popen(
        [binary, "serve", "--port", "0", "--data-dir", data_dir, "--log-level", "warning", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    key, url, deadline = None, None, time.monotonic() + 60
    while time.monotonic() < deadline and (key is None or url is None):
        line = process.stdout.readline()
        key = key or (KEY_PATTERN.search(line).group(0) if KEY_PATTERN.search(line) else None)
        match = re.search(r"(http://127\.0\.0\.1:\d+)/api/v1/keys", line)
        url = url or (match.group(1) if match else None)
    if not key or not url:
        process.kill()
        raise SystemExit("server did not start")
    return process, url, key


def start_mlflow_server(folder, port):
    """A real `mlflow server` (the venv's mlflow) on loopback with artifacts served; returns (process, url)."""
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port),
         "--backend-store-uri", f"sqlite:///{folder}/mlflow.db", "--serve-artifacts",
         "--artifacts-destination", f"{folder}/artifacts", "--workers", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"})
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as reply:
                if reply.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("mlflow server did not start")
