"""A keep-alive http.client connection to a server's MLflow API, for setting workloads up, seeding
the search runs, and the multi-request full scan."""

import http.client
import json
import os
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor


class Api:
    """One keep-alive connection to a server's MLflow API and artifact service."""

    def __init__(self, server):
        self.server = server
        host, port = server.url.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=600)
        self.base = server.api_prefix + "/api/2.0/mlflow/"
        self.artifacts = server.api_prefix + "/api/2.0/mlflow-artifacts/artifacts/"

    def request(self, method, path, body=None, headers=None):
        try:
            return self._exchange(method, path, body, headers)
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closed an idle keep-alive connection (uvicorn after 5 s): connect again.
            self.connection.close()
            return self._exchange(method, path, body, headers)

    def _exchange(self, method, path, body, headers):
        self.connection.request(method, path, body=body, headers={**self.server.headers, **(headers or {})})
        reply = self.connection.getresponse()
        data = reply.read()
        return reply.status, data

    def call(self, method, endpoint, payload=None):
        body = json.dumps(payload).encode() if payload is not None else None
        status, data = self.request(method, self.base + endpoint, body, {"Content-Type": "application/json"} if body else None)
        if status != 200:
            raise RuntimeError(f"{self.server.name} {method} {endpoint} → {status}: {data[:300]!r}")
        return json.loads(data or b"{}")

    def post(self, endpoint, payload):
        return self.call("POST", endpoint, payload)

    def get(self, endpoint):
        return self.call("GET", endpoint)


def new_run(api, experiment):
    info = api.post("runs/create", {"experiment_id": experiment, "start_time": int(time.time() * 1000)})["run"]["info"]
    return info["run_id"], info["artifact_uri"]


def seed_search(server, runs, threads=4):
    """An experiment of `runs` runs, each with two metrics, two params and a tag, written by a few
    clients at once. Returns the experiment id, the seconds it took and how many calls had to be
    retried (MLflow on SQLite answers concurrent writers with "database is locked")."""
    api = Api(server)
    experiment = api.post("experiments/create", {"name": f"search-{os.urandom(4).hex()}"})["experiment_id"]
    retries = [0]
    lock = threading.Lock()

    def retrying(client, endpoint, payload):
        for attempt in range(20):
            try:
                return client.post(endpoint, payload)
            except (RuntimeError, OSError):
                with lock:
                    retries[0] += 1
                client.connection.close()
                time.sleep(0.05 * (attempt + 1))
        raise RuntimeError(f"{endpoint} failed 20 times")

    def worker(part):
        client = Api(server)
        rng = random.Random(part)
        for index in range(part, runs, threads):
            run = retrying(client, "runs/create", {"experiment_id": experiment, "start_time": 1_700_000_000_000 + index})
            retrying(client, "runs/log-batch", {
                "run_id": run["run"]["info"]["run_id"],
                "metrics": [{"key": "loss", "value": rng.random(), "timestamp": 1, "step": 0},
                            {"key": "accuracy", "value": rng.random(), "timestamp": 1, "step": 0}],
                "params": [{"key": "model", "value": rng.choice(["cnn", "rnn", "mlp", "xgb"])},
                           {"key": "lr", "value": rng.choice(["0.1", "0.01", "0.001"])}],
                "tags": [{"key": "team", "value": rng.choice(["vision", "text", "tabular"])}]})

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, range(threads)))
    return experiment, time.monotonic() - started, retries[0]


def full_scan(api, experiment, runs, repeat=3):
    """Every run of the experiment, page by page (1,000 a page), `repeat` times; ms per whole scan.

    Like wrk for the other raw calls, the timed loop does no more than a client must to go on:
    send, read the whole answer, find its `next_page_token` (a top-level field, written after the
    runs by both servers; a quote inside any value is escaped, so the last unescaped
    `"next_page_token"` is the field). The pages are parsed and their runs counted after the
    clock stops: Python's `json.loads` and garbage collection of the 6.4 MB took 110-150 ms of a
    scan, the same for any server, as large as half of ours."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        token, pages = None, []
        while True:
            body = {"experiment_ids": [experiment], "max_results": 1000, **({"page_token": token} if token else {})}
            status, data = api.request("POST", api.base + "runs/search", json.dumps(body).encode(),
                                       {"Content-Type": "application/json"})
            if status != 200:
                raise RuntimeError(f"{api.server.name} runs/search → {status}: {data[:300]!r}")
            pages.append(data)
            token = page_token(data)
            if not token:
                break
        samples.append((time.perf_counter() - started) * 1000)
        seen = 0
        for data in pages:
            reply = json.loads(data)
            if reply.get("next_page_token") != page_token(data):
                raise RuntimeError(f"{api.server.name}: a page's token was misread")
            seen += len(reply.get("runs", []))
        if seen != runs:
            raise RuntimeError(f"{api.server.name}: the scan found {seen} runs of {runs}")
    return samples


TOKEN_FIELD = re.compile(rb'"next_page_token"\s*:\s*"([^"]*)"')


def page_token(data):
    """A search answer's `next_page_token` without parsing the rest (see `full_scan`); None if none."""
    at = data.rfind(b'"next_page_token"')
    match = TOKEN_FIELD.match(data, at) if at >= 0 else None
    return match.group(1).decode() if match else None
