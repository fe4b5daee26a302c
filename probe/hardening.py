"""Re-runs the probes of the hardening issue (20) against a `hokusai` binary over real sockets
and prints one line per probe: what was sent, what came back, PASS or FAIL. Bounded: about a
minute, 1,500 connections at most, every server it starts stopped at the end.

    .venv/bin/python probe/hardening.py [.build/debug/hokusai]

Exits 1 if any probe fails. The behaviours are also unit- and end-to-end-tested; this is the
probe list itself, kept runnable so a later round can add cases and compare.
"""

import http.client
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BINARY = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build" / "debug" / "hokusai")
MLFLOW = "/api/mlflow/api/2.0/mlflow"
KEY = re.compile(r"hk_(?:live|test|dev)_[0-9A-Za-z]{32}")
results = []


def probe(name, passed, observed):
    results.append((name, passed))
    print(f"{'PASS' if passed else 'FAIL'}  {name}: {observed}", flush=True)


class Server:
    def __init__(self, *flags):
        self.workdir = tempfile.mkdtemp(prefix="hokusai-probe.")
        self.err = Path(self.workdir) / "serve.err"
        self.out = Path(self.workdir) / "serve.out"
        self.process = subprocess.Popen(
            [BINARY, "serve", "--port", "0", "--data-dir", self.workdir + "/data", *flags],
            stdout=open(self.out, "w"), stderr=open(self.err, "w"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            match = re.search(r"url=(http://\S+)", self.err.read_text())
            if match:
                self.url = match.group(1)
                self.admin = KEY.findall(self.out.read_text())[0]
                return
            if self.process.poll() is not None:
                raise SystemExit("server exited: " + self.err.read_text())
            time.sleep(0.05)
        raise SystemExit("server did not start")

    def call(self, method, path, key=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return requests.request(method, self.url + path, headers=headers, timeout=10, **kwargs)

    def key(self, creator=None, **fields):
        reply = self.call("POST", "/api/v1/keys", creator or self.admin, json={"name": "probe", **fields})
        assert reply.status_code == 201, reply.text
        return reply.json()["api_key"], reply.json()["key_info"]

    def rss_mb(self):
        for line in open(f"/proc/{self.process.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return -1

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def make_run(server, key):
    reply = server.call("POST", MLFLOW + "/runs/create", key, json={"experiment_id": "0"})
    return reply.json()["run"]["info"]["run_id"]


def key_chains(server):
    day_key, day_info = server.key(user_id="u1", expires_in_days=1, rate_limit_per_hour=1000)
    child, child_info = server.key(creator=day_key, name="child")
    probe("1 a child key expires no later than its creator",
          child_info["expires_at"] is not None and child_info["expires_at"] <= day_info["expires_at"],
          f"creator {day_info['expires_at']}, child {child_info['expires_at']}")
    server.call("DELETE", f"/api/v1/keys/{day_info['id']}", server.admin)
    status = server.call("GET", "/api/v1/keys", child).status_code
    probe("1 revoking a key disables the keys it created", status == 401, f"child after revoke: {status}")

    small, _ = server.key(user_id="u2", rate_limit_per_hour=10)
    children = [server.key(creator=small, name=f"c{i}", rate_limit_per_hour=10)[0] for i in range(5)]
    answered = sum(
        server.call("GET", "/api/v1/keys", key).status_code == 200 for key in children for _ in range(10))
    probe("1 keys minted by a 10/h key share its budget", answered <= 10 - 5,
          f"{answered} of 50 calls through five 10/h children answered (5 spent creating them)")


def ownership(server):
    bob, _ = server.key(user_id="bob")
    alice, _ = server.key(user_id="alice")
    bobs_run = make_run(server, bob)
    reply = server.call("POST", "/api/models/register", alice, json={
        "model_uri": f"runs:/{bobs_run}/model", "model_name": "stolen", "token_id": "tok",
        "metric_name": "accuracy", "baseline_value": 0.8, "current_value": 0.9})
    probe("2 registering another user's run is refused", reply.status_code == 403, f"{reply.status_code} {reply.text[:90]}")
    server.call("POST", MLFLOW + "/registered-models/create", alice, json={"name": "hers"})
    reply = server.call("POST", MLFLOW + "/model-versions/create", alice,
                        json={"name": "hers", "source": f"mlflow-artifacts:/0/{bobs_run}/artifacts/model", "run_id": bobs_run})
    probe("2 a version sourced from another user's run is refused", reply.status_code == 403, f"{reply.status_code}")
    reply = server.call("POST", MLFLOW + "/runs/create", bob, json={"experiment_id": "0", "user_id": "alice"})
    user = reply.json()["run"]["info"]["user_id"]
    probe("2 a run's user is its key's user", user == "bob", f"user_id alice in the body -> run of {user}")
    run = make_run(server, server.admin)
    for spelling in ["+0", "00", "-0", "%2B0"]:
        reply = server.call("PUT", f"/api/mlflow/api/2.0/mlflow-artifacts/artifacts/{spelling}/{run}/artifacts/x", server.admin, data=b"x")
        probe(f"2 artifact path experiment id '{spelling}' is refused", reply.status_code == 400, f"{reply.status_code}")


def network_edge(binary_flags_server):
    server = Server("--trusted-proxies", "127.0.0.1/32")
    try:
        spoofed = "hk_live_" + "B" * 32
        server.call("GET", "/api/v1/keys", spoofed, headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.9"})
        server.call("GET", "/api/v1/keys", spoofed, headers={"X-Forwarded-For": "not-an-ip"})
        events = []
        deadline = time.monotonic() + 15  # failures are written behind, every 10 s
        while len(events) < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
            events = server.call("GET", "/api/v1/audit?event=auth.failed", server.admin).json()["events"]
        addresses = [event["client_ip"] for event in reversed(events)]
        probe("3 X-Forwarded-For is read from the right, and only IP literals are taken",
              addresses == ["203.0.113.9", "127.0.0.1"],
              f"'6.6.6.6, 203.0.113.9' and 'not-an-ip' via 127.0.0.1 -> audit client_ip {addresses}")
    finally:
        server.stop()

    server = binary_flags_server
    for _ in range(40):
        server.call("GET", "/api/v1/keys", "hk_live_" + "C" * 32)
    valid = server.call("GET", "/api/v1/keys", server.admin).status_code
    probe("3 40 failed attempts do not lock out a valid key from the same address", valid == 200, f"valid key: {valid}")

    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    before = server.rss_mb()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    flood = []
    for _ in range(1500):
        try:
            flood.append(socket.create_connection((host, int(port)), timeout=5))
        except OSError:
            break
    time.sleep(0.5)
    started = time.monotonic()
    # From another client address (loopback is a /8), as another user would.
    other = http.client.HTTPConnection(host, int(port), timeout=10, source_address=("127.0.0.2", 0))
    other.request("GET", "/health")
    health = other.getresponse().status
    other.close()
    elapsed = (time.monotonic() - started) * 1000
    for connection in flood:
        connection.close()
    time.sleep(1.5)
    metrics = server.call("GET", "/metrics").text
    refused = sum(float(line.split()[-1]) for line in metrics.splitlines() if line.startswith("hokusai_connections_refused"))
    probe("3 1,500 idle connections from one address: the rest still answered", health == 200 and refused > 0,
          f"/health {health} in {elapsed:.0f} ms, {refused:.0f} refused (limit 1,000 per address), "
          f"RSS {before:.0f} -> {server.rss_mb():.0f} MB after")

    with socket.create_connection((host, int(port))) as connection:
        run = make_run(server, server.admin)
        connection.sendall(
            f"PUT /api/mlflow/api/2.0/mlflow-artifacts/artifacts/0/{run}/artifacts/b.bin HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {server.admin}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n".encode())
        status = connection.recv(4096).decode(errors="replace").split("\r\n")[0]
    probe("3 a broken chunked upload is a precise 400", " 400 " in status, status)

    typed = server.admin
    reply = server.call("GET", f"/nonexistent/{typed}", server.admin)
    time.sleep(0.3)
    probe("3 a key typed into a path is masked in the answer and the log",
          typed not in reply.text and typed not in server.err.read_text(), f"{reply.status_code} {reply.text[:80]}")

    for url in ["http://127.1/", "http://0x7f000001/", "http://2130706433/", "http://[::ffff:7f00:1]/", "http://localhost./"]:
        started = subprocess.run([BINARY, "serve", "--port", "0", "--data-dir", tempfile.mkdtemp(), "--webhook-url", url],
                                 capture_output=True, text=True, timeout=30)
        probe(f"3 webhook {url} is refused at start", started.returncode != 0,
              next((line for line in started.stderr.splitlines() if "rror" in line), started.stderr[:100])[:110])


def one_way(server):
    for path, body in [("/api/v1/keys", '{"name":"a","name":"b"}'), (MLFLOW + "/experiments/create", '{"name":"a","name":"b"}')]:
        reply = server.call("POST", path, server.admin, data=body, headers={"Content-Type": "application/json"})
        probe(f"4 duplicate JSON key on {path} is a 400 naming it", reply.status_code == 400 and "name" in reply.text,
              f"{reply.status_code} {reply.text[:80]}")
    reply = server.call("POST", "/api/v1/keys", server.admin, json={"name": 5})
    probe("4 a key-API type error names the field", reply.status_code == 400 and "name" in reply.json().get("message", ""),
          reply.json().get("message", "")[:90])
    for path, size in [("/api/v1/keys", 2 << 20), (MLFLOW + "/experiments/create", 9 << 20)]:
        reply = server.call("POST", path, server.admin, data=b'{"name":"' + b"x" * size + b'"}')
        probe(f"4 a body over the limit on {path} is a 413", reply.status_code == 413, f"{reply.status_code}")


def main():
    server = Server()
    try:
        key_chains(server)
        ownership(server)
        network_edge(server)
        one_way(server)
        probe("the server is alive after every probe", server.process.poll() is None and
              server.call("GET", "/ready").status_code == 200, "ready")
    finally:
        server.stop()
    failed = [name for name, passed in results if not passed]
    print(f"\n{len(results) - len(failed)} of {len(results)} probes pass" + (f"; failing: {failed}" if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
