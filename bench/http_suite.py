"""The workloads over a raw keep-alive HTTP connection (http.client): what the server itself costs,
with as little client in the way as Python allows. Each function returns latency samples in ms."""

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


def timed(count, action):
    samples = []
    for index in range(count):
        started = time.perf_counter()
        action(index)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def new_run(api, experiment):
    info = api.post("runs/create", {"experiment_id": experiment, "start_time": int(time.time() * 1000)})["run"]["info"]
    return info["run_id"], info["artifact_uri"]


def batch(keys, steps, first_step, value=0.5):
    now = int(time.time() * 1000)
    return [{"key": f"m{k}", "value": value + k, "timestamp": now, "step": first_step + s} for s in range(steps) for k in range(keys)]


def tracking(api, scale):
    """create_run, log_metric, log_param, log_batch of 1,000, get_run, get_metric_history of 1,000,
    register a model version."""
    results = {}
    experiment = api.post("experiments/create", {"name": f"bench-{os.urandom(4).hex()}"})["experiment_id"]
    runs = []
    results["create_run"] = timed(scale.ops, lambda i: runs.append(new_run(api, experiment)[0]))
    run = runs[0]
    results["log_metric"] = timed(scale.ops, lambda i: api.post(
        "runs/log-metric", {"run_id": run, "key": "loss", "value": 1.0 / (i + 1), "timestamp": int(time.time() * 1000), "step": i}))
    results["log_param"] = timed(scale.ops, lambda i: api.post("runs/log-parameter", {"run_id": run, "key": f"p{i}", "value": "v"}))
    batch_run = runs[1]
    results["log_batch_1000"] = timed(scale.batches, lambda i: api.post(
        "runs/log-batch", {"run_id": batch_run, "metrics": batch(10, 100, i * 100)}))
    api.post("runs/log-batch", {"run_id": batch_run, "params": [{"key": f"param{k}", "value": str(k)} for k in range(10)],
                                "tags": [{"key": f"tag{k}", "value": "x"} for k in range(5)]})
    results["get_run"] = timed(scale.ops, lambda i: api.get(f"runs/get?run_id={batch_run}"))
    history_run = runs[2]
    api.post("runs/log-batch", {"run_id": history_run, "metrics": [
        {"key": "h", "value": float(s), "timestamp": 1_700_000_000_000 + s, "step": s} for s in range(1000)]})

    def history(_):
        points = api.get(f"metrics/get-history?run_id={history_run}&metric_key=h")["metrics"]
        assert len(points) == 1000, len(points)
    results["get_metric_history_1000"] = timed(scale.ops, history)
    model = f"bench-model-{os.urandom(4).hex()}"
    api.post("registered-models/create", {"name": model})
    results["register_model_version"] = timed(scale.ops, lambda i: api.post(
        "model-versions/create", {"name": model, "source": f"runs:/{runs[i % len(runs)]}/model", "run_id": runs[i % len(runs)]}))
    return results


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


FILTERED = "metrics.accuracy > 0.5 and params.model = 'cnn'"


def search(api, experiment, runs, scale):
    results = {}

    def filtered(_):
        reply = api.post("runs/search", {"experiment_ids": [experiment], "filter": FILTERED,
                                         "order_by": ["metrics.loss ASC"], "max_results": 100})
        assert len(reply["runs"]) == 100, len(reply.get("runs", []))
    results["search_filtered_ordered_100"] = timed(scale.searches, filtered)

    def page(_):
        assert len(api.post("runs/search", {"experiment_ids": [experiment], "max_results": 1000})["runs"]) == 1000
    results["search_page_1000"] = timed(max(3, scale.searches // 4), page)

    def scan(_):
        token, seen = None, 0
        while True:
            body = {"experiment_ids": [experiment], "max_results": 1000, **({"page_token": token} if token else {})}
            reply = api.post("runs/search", body)
            seen += len(reply.get("runs", []))
            token = reply.get("next_page_token")
            if not token:
                break
        assert seen == runs, seen
    results[f"search_full_scan_{runs}"] = timed(3, scan)
    return results


def artifacts(api, experiment_run_uri, scale):
    """10 MB upload and download, timed; every download compared with what was sent."""
    root = experiment_run_uri.split(":", 1)[1].lstrip("/")
    blob = os.urandom(10 * 1024 * 1024)
    results = {}

    def upload(i):
        status, data = api.request("PUT", f"{api.artifacts}{root}/blob{i}.bin", blob, {"Content-Type": "application/octet-stream"})
        assert status == 200, (status, data[:200])
    results["artifact_upload_10mb"] = timed(scale.artifacts, upload)

    def download(i):
        status, data = api.request("GET", f"{api.artifacts}{root}/blob{i}.bin")
        assert status == 200 and data == blob, status
    results["artifact_download_10mb"] = timed(scale.artifacts, download)
    return results
