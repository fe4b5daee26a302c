"""The gateway in front of an existing MLflow server: a header-echoing upstream for the forwarding rules, and a
real `mlflow server` (mlflow==3.17.2, SQLite backend, --serve-artifacts) for the whole client workflow."""

import hashlib
import json
import os
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import mlflow
import numpy as np
import pytest
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException, RestException
from sklearn.linear_model import LogisticRegression

from conftest import Server, bearer, create_key, free_port, serve_on_loopback, stop_serving


class EchoUpstream:
    """Answers every request with what it received; `/slow` answers after 5 s, `/html404` with an HTML 404."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

        class Handler(BaseHTTPRequestHandler):
            def handle_any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "html404" in self.path:
                    self.send_response(404)
                    self.send_header("Content-Type", "text/html")
                    self.end_headers()
                    self.wfile.write(b"<html>Not Found</html>")
                    return
                if "slow" in self.path:
                    time.sleep(5)
                payload = json.dumps({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                      "body": body.decode("latin-1")}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

            def log_message(self, *args):
                pass

        self.httpd = serve_on_loopback(Handler, self.port)

    def stop(self):
        stop_serving(self.httpd)


@pytest.fixture
def echo_gateway(store_args, tmp_path):
    upstream = EchoUpstream()
    gateway = Server(store_args, tmp_path, extra_args=["--role", "gateway", "--mlflow-upstream", upstream.url,
                                                       "--upstream-prefix", "/mlflow", "--upstream-timeout", "2"]).start()
    gateway.admin_key = gateway.printed_keys()[0]
    yield gateway, upstream
    gateway.stop()
    upstream.stop()


def test_requests_are_forwarded_with_the_rules_of_a_careful_proxy(echo_gateway):
    gateway, _ = echo_gateway
    key, key_id = create_key(gateway, user_id="alice")
    reply = requests.get(
        gateway.url + "/api/mlflow/api/2.0/mlflow/registered-models/search?order_by=name+ASC&order_by=last_updated_timestamp+DESC",
        headers={**bearer(key), "X-Hokusai-User-Id": "admin", "X-Forwarded-User": "admin", "Cookie": "session=x"}, timeout=10)
    assert reply.status_code == 200, reply.text
    seen = reply.json()
    assert seen["path"] == "/mlflow/api/2.0/mlflow/registered-models/search?order_by=name+ASC&order_by=last_updated_timestamp+DESC"
    headers = {name.lower(): value for name, value in seen["headers"].items()}
    assert headers["x-hokusai-user-id"] == "alice" and headers["x-hokusai-api-key-id"] == key_id
    assert "authorization" not in headers and "cookie" not in headers and "x-forwarded-user" not in headers

    body = os.urandom(3 * 2**20)
    put = requests.put(gateway.url + "/api/mlflow/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/blob.bin", data=body,
                       headers=bearer(key), timeout=30)
    assert put.status_code == 200 and put.json()["body"].encode("latin-1") == body
    deleted = requests.delete(gateway.url + "/api/2.0/mlflow/registered-models/alias", json={"name": "m", "alias": "a"},
                              headers=bearer(key), timeout=10)
    assert json.loads(deleted.json()["body"]) == {"name": "m", "alias": "a"}


def test_scopes_are_enforced_before_the_upstream_sees_anything(echo_gateway):
    gateway, _ = echo_gateway
    reader, _ = create_key(gateway, user_id="bob", scopes=["read"])
    assert requests.post(gateway.url + "/api/mlflow/api/2.0/mlflow/runs/search", json={}, headers=bearer(reader), timeout=10).status_code == 200
    refused = requests.post(gateway.url + "/api/mlflow/api/2.0/mlflow/runs/create", json={}, headers=bearer(reader), timeout=10)
    assert refused.status_code == 403 and refused.json()["error_code"] == "PERMISSION_DENIED"
    assert "method" not in refused.json(), "answered by the gateway, not the upstream"
    anonymous = requests.get(gateway.url + "/api/mlflow/api/2.0/mlflow/experiments/get", timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["error_code"] == "UNAUTHENTICATED"


def test_upstream_failures_are_mlflow_json_naming_the_upstream(echo_gateway, tmp_path):
    gateway, upstream = echo_gateway
    key, _ = create_key(gateway, user_id="alice")
    missing = requests.get(gateway.url + "/api/mlflow/api/2.0/mlflow/html404", headers=bearer(key), timeout=10)
    assert missing.status_code == 404 and missing.json()["error_code"] == "ENDPOINT_NOT_FOUND"
    slow = requests.get(gateway.url + "/api/mlflow/api/2.0/mlflow/slow", headers=bearer(key), timeout=30)
    assert slow.status_code == 504 and upstream.url in slow.json()["message"]
    assert requests.get(gateway.url + "/api/health/mlflow", timeout=10).json()["backend"] == "upstream"

    closed = f"http://127.0.0.1:{free_port()}"
    (tmp_path / "down").mkdir()
    down = Server(["--data-dir", str(tmp_path / "down" / "data")], tmp_path / "down", extra_args=["--mlflow-upstream", closed]).start()
    try:
        admin = down.printed_keys()[0]
        unreachable = requests.get(down.url + "/api/mlflow/api/2.0/mlflow/experiments/get?experiment_id=0", headers=bearer(admin), timeout=30)
        assert unreachable.status_code == 502 and closed in unreachable.json()["message"]
        health = requests.get(down.url + "/api/health/mlflow/detailed", timeout=30)
        assert health.status_code == 503 and health.json()["status"] == "error"
    finally:
        down.stop()


def start_mlflow_server(folder, *extra):
    """A real `mlflow server` on loopback (SQLite backend, job execution off); returns (process, url)."""
    port = free_port()
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    log = open(folder / "mlflow.log", "w")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port),
         "--backend-store-uri", f"sqlite:///{folder}/mlflow.db", "--workers", "1", *extra],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/health", timeout=2).status_code == 200:
                return process, url
        except requests.ConnectionError:
            pass
        if process.poll() is not None:
            raise AssertionError("mlflow server exited: " + (folder / "mlflow.log").read_text()[-2000:])
        time.sleep(0.5)
    process.kill()
    raise AssertionError("mlflow server did not start: " + (folder / "mlflow.log").read_text()[-2000:])


@pytest.fixture(scope="module")
def real_mlflow(tmp_path_factory):
    """A real `mlflow server` with artifacts served, shared by the module's tests."""
    folder = tmp_path_factory.mktemp("mlflow-upstream")
    process, url = start_mlflow_server(folder, "--serve-artifacts", "--artifacts-destination", str(folder / "artifacts"))
    yield url
    process.terminate()
    process.wait(timeout=30)


def test_the_readme_workflow_passes_through_the_gateway_to_a_real_mlflow_server(real_mlflow, tmp_path, monkeypatch):
    gateway = Server(["--data-dir", str(tmp_path / "data")], tmp_path,
                     extra_args=["--role", "gateway", "--mlflow-upstream", real_mlflow]).start()
    try:
        gateway.admin_key = gateway.printed_keys()[0]
        key, _ = create_key(gateway, user_id="scientist")
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", key)
        monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        mlflow.set_tracking_uri(gateway.url + "/api/mlflow")
        experiment = mlflow.set_experiment(f"proxied-{os.urandom(3).hex()}")
        features = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]] * 5)
        model = LogisticRegression().fit(features, [0, 1, 0, 1] * 5)
        with mlflow.start_run() as run:
            mlflow.log_param("C", 1.0)
            mlflow.log_metric("accuracy", 0.9)
            mlflow.log_text("through the gateway", "notes.txt")
            mlflow.sklearn.log_model(model, name="model", registered_model_name="proxied-model", input_example=features[:2])
        blob = tmp_path / "blob.bin"
        blob.write_bytes(os.urandom(32 * 2**20))
        client = MlflowClient()
        client.log_artifact(run.info.run_id, str(blob))
        back = Path(client.download_artifacts(run.info.run_id, "blob.bin", str(tmp_path / "back")))
        assert hashlib.sha256(back.read_bytes()).digest() == hashlib.sha256(blob.read_bytes()).digest()
        loaded = mlflow.pyfunc.load_model("models:/proxied-model/1")
        assert (loaded.predict(features) == model.predict(features)).all()
        assert mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/notes.txt") == "through the gateway"

        # The upstream holds it all; the gateway's store holds no runs.
        direct = requests.get(real_mlflow + "/api/2.0/mlflow/runs/get", params={"run_id": run.info.run_id}, timeout=10)
        assert direct.json()["run"]["data"]["params"] == [{"key": "C", "value": "1.0"}]

        reader, _ = create_key(gateway, user_id="viewer", scopes=["read"])
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", reader)
        viewer = MlflowClient(gateway.url + "/api/mlflow")
        assert viewer.get_run(run.info.run_id).data.params == {"C": "1.0"}
        with pytest.raises((RestException, MlflowException)) as refused:
            viewer.create_experiment("viewer-should-not")
        assert "PERMISSION_DENIED" in str(refused.value)
        names = [e["name"] for e in requests.post(real_mlflow + "/api/2.0/mlflow/experiments/search",
                                                   json={"max_results": 1000}, timeout=10).json()["experiments"]]
        assert experiment.name in names and "viewer-should-not" not in names
    finally:
        gateway.stop()
