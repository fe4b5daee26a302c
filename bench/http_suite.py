"""A keep-alive http.client connection to a server's MLflow API, for setting workloads up, seeding
the search runs, and the multi-request full scan."""

import http.client
import json
import os
import random
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
    """Every run of the experiment, page by page (1,000 a page), `repeat` times; ms per whole scan."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        token, seen = None, 0
        while True:
            body = {"experiment_ids": [experiment], "max_results": 1000, **({"page_token": token} if token else {})}
            reply = api.post("runs/search", body)
            seen += len(reply.get("runs", []))
            token = reply.get("next_page_token")
            if not token:
                break
        if seen != runs:
            raise RuntimeError(f"{api.server.name}: the scan found {seen} runs of {runs}")
        samples.append((time.perf_counter() - started) * 1000)
    return samples
