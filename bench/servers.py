"""Starting the two servers under comparison on loopback with fresh data, and reading their memory."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

KEY_PATTERN = re.compile(r"hk_live_[0-9A-Za-z]{32}")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Running:
    """A started server: its process, base URL, the key to send (None for MLflow), start time, and
    where its MLflow API and artifact service live."""

    def __init__(self, name, process, url, key, started_seconds, api_prefix, data_dir):
        self.name, self.process, self.url, self.key = name, process, url, key
        self.started_seconds, self.api_prefix, self.data_dir = started_seconds, api_prefix, data_dir
        self.admin_key, self.keys_made = key, 0

    def fresh_key(self):
        """Hokusai counts every key's requests per hour (at most 100,000): each workload gets a new
        key of the same user, so no limit is ever reached mid-measurement. MLflow has no keys."""
        if not self.admin_key:
            return
        self.keys_made += 1
        body = json.dumps({"name": f"bench-{self.keys_made}", "user_id": "bench", "scopes": ["write"],
                           "rate_limit_per_hour": 100_000}).encode()
        request = urllib.request.Request(self.url + "/api/v1/keys", data=body, method="POST", headers={
            "Authorization": f"Bearer {self.admin_key}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            self.key = json.loads(reply.read())["api_key"]

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    @property
    def tracking_uri(self):
        return self.url + self.api_prefix

    def rss_mib(self):
        return tree_rss_kib(self.process.pid) / 1024

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_healthy(url, deadline):
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as reply:
                if reply.status == 200:
                    return True
        except OSError:
            time.sleep(0.01)
    return False


def start_hokusai(binary, data_dir, *extra):
    """`hokusai serve` on the embedded default (SQLite, local artifacts) in a fresh folder. The start
    time runs from spawning the process to the first 200 from /health, migrations and the first
    admin key included."""
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", data_dir, "--log-level", "warning", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = f"http://127.0.0.1:{port}"
    if not wait_healthy(url, started + 60):
        process.kill()
        raise SystemExit("hokusai did not start")
    seconds = time.monotonic() - started
    key = None
    while key is None:
        line = process.stdout.readline()
        if not line:
            raise SystemExit("hokusai printed no admin key")
        match = KEY_PATTERN.search(line)
        key = match.group(0) if match else None
    # Nothing reads the rest of stdout: keep the pipe drained so the server never blocks on it.
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return Running("hokusai", process, url, key, seconds, "/api/mlflow", data_dir)


def mlflow_binary():
    return str(Path(sys.executable).parent / "mlflow")


def start_mlflow(data_dir, workers, port=None):
    """The reference `mlflow server`: SQLite backend, artifacts served from a local folder, loopback,
    `workers` worker processes."""
    port = port or free_port()
    os.makedirs(data_dir, exist_ok=True)
    started = time.monotonic()
    process = subprocess.Popen(
        [mlflow_binary(), "server", "--host", "127.0.0.1", "--port", str(port),
         "--backend-store-uri", f"sqlite:///{data_dir}/mlflow.db", "--serve-artifacts",
         "--artifacts-destination", f"{data_dir}/artifacts", "--workers", str(workers)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    if not wait_healthy(url, started + 180):
        process.kill()
        raise SystemExit("mlflow server did not start")
    return Running(f"mlflow-{workers}w", process, url, None, time.monotonic() - started, "", data_dir)


def copy_data(source, destination):
    shutil.copytree(source, destination)


def tree_rss_kib(pid):
    """Resident memory of a process and all its descendants (an MLflow server is several processes)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        pending.extend(children.get(current, []))
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


class PeakMemory:
    """Samples a server's resident memory every 50 ms while a block runs; `.peak` in MiB."""

    def __init__(self, server):
        self.server, self.peak, self.running = server, 0.0, False

    def __enter__(self):
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, self.server.rss_mib())
            time.sleep(0.05)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
