"""The Hokusai registration API and its webhook events, against the real binary and a real receiver on loopback."""

import hashlib
import hmac
import json
import os
import signal
import time
from http.server import BaseHTTPRequestHandler

import mlflow
import numpy as np
import pytest
import requests
from sklearn.linear_model import LogisticRegression

from conftest import Server, bearer, create_key, free_port, serve_on_loopback, stop_serving

SECRET = "receiver-shared-secret"


class Receiver:
    """A webhook receiver that records what it is sent; it can be down (nothing listening) and come back on its port."""

    def __init__(self, port=None, status=200):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks/model-registered"
        self.received = []
        self.httpd = None
        self.status = status

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"success":true}')

            def log_message(self, *args):
                pass

        self.httpd = serve_on_loopback(Handler, self.port)
        return self

    def stop(self):
        if self.httpd:
            stop_serving(self.httpd)
            self.httpd = None

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.received

    @staticmethod
    def verify(delivery):
        """What the receiving side does: HMAC-SHA256 over the exact body, compared in constant time."""
        expected = "sha256=" + hmac.new(SECRET.encode(), delivery["body"], hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, delivery["headers"]["X-Hokusai-Signature"])


@pytest.fixture
def receiver():
    instance = Receiver().start()
    yield instance
    instance.stop()


def start_server(store_args, tmp_path, receiver_url, extra_args=()):
    server = Server(
        store_args, tmp_path,
        extra_args=["--webhook-url", receiver_url, "--webhook-allow-loopback", "true", "--webhook-timeout", "5", *extra_args],
        env={"HOKUSAI_WEBHOOK_SECRET": SECRET}).start()
    server.admin_key = server.printed_keys()[0]
    return server


def mlflow_call(server, key, path, body):
    reply = requests.post(f"{server.url}/api/mlflow/api/2.0/mlflow/{path}", json=body, headers=bearer(key), timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()


def logged_model(server, key, experiment="reg"):
    """A run with a logged model named 'model', made over the REST API; returns the run id."""
    experiment_id = mlflow_call(server, key, "experiments/create", {"name": f"{experiment}-{os.urandom(3).hex()}"})["experiment_id"]
    run_id = mlflow_call(server, key, "runs/create", {"experiment_id": experiment_id})["run"]["info"]["run_id"]
    mlflow_call(server, key, "logged-models", {"experiment_id": experiment_id, "name": "model", "source_run_id": run_id})
    return run_id


def wait_for_attempt(server, event_id, timeout=15):
    """Polls the admin events API until the event has been tried at least once."""
    deadline, state = time.monotonic() + timeout, {}
    while time.monotonic() < deadline and not state.get("attempts"):
        time.sleep(0.2)
        state = requests.get(f"{server.url}/api/v1/events/{event_id}", headers=bearer(server.admin_key), timeout=10).json()
    return state


def register(server, key, run_id, **fields):
    body = {"model_uri": f"runs:/{run_id}/model", "model_name": "lead-scorer", "token_id": "lscor",
            "metric_name": "accuracy", "baseline_value": 0.80, "current_value": 0.86, **fields}
    return requests.post(server.url + "/api/models/register", json=body, headers=bearer(key), timeout=10)


def test_a_model_logged_with_mlflow_is_registered_listed_and_announced_once(store_args, tmp_path, receiver, monkeypatch):
    server = start_server(store_args, tmp_path, receiver.url)
    try:
        key, _ = create_key(server, user_id="scientist")
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", key)
        mlflow.set_tracking_uri(server.url + "/api/mlflow")
        mlflow.set_experiment("e2e-hokusai")
        features = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]] * 5)
        with mlflow.start_run() as run:
            mlflow.sklearn.log_model(LogisticRegression().fit(features, [0, 1, 0, 1] * 5), name="model", input_example=features[:2])

        reply = register(server, key, run.info.run_id, proposal_identifier="PROP-7")
        assert reply.status_code == 201, reply.text
        body = reply.json()
        assert body["version"] == "1" and body["event_status"] == "queued" and body["event_id"].startswith("evt_")

        listed = requests.get(server.url + "/api/models", params={"token_id": "LSCOR"}, headers=bearer(key), timeout=10).json()
        [model] = listed["models"]
        assert model["name"] == "lead-scorer" and model["token_id"] == "LSCOR"
        assert model["tags"]["benchmark_metric"] == "accuracy" and model["tags"]["benchmark_value"] == "0.8"
        assert model["tags"]["hokusai_status"] == "registered" and model["tags"]["hokusai_proposal_identifier"] == "PROP-7"

        [delivery] = receiver.wait_for(1)
        assert Receiver.verify(delivery)
        payload = json.loads(delivery["body"])
        assert payload["event_type"] == "model_registered" and payload["source"] == "mlflow"
        assert payload["model"]["id"] == "lscor" and payload["model"]["version"] == "1"
        assert payload["model"]["run_id"] == run.info.run_id and payload["model"]["user_id"] == "scientist"
        assert delivery["headers"]["X-Hokusai-Idempotency-Key"]
        time.sleep(1.5)
        assert len(receiver.received) == 1, "delivered exactly once"
        loaded = mlflow.pyfunc.load_model("models:/lead-scorer/1")
        assert list(loaded.predict(features[:4])) == [0, 1, 0, 1]
    finally:
        server.stop()


def test_tokenized_events_are_idempotent_and_refuse_mistakes_with_422(store_args, tmp_path, receiver):
    server = start_server(store_args, tmp_path, receiver.url)
    try:
        key, _ = create_key(server, user_id="scientist")
        run_id = logged_model(server, key)
        assert register(server, key, run_id).status_code == 201
        event = {"model_name": "lead-scorer", "version": "1", "token_id": "lscor", "proposal_identifier": "PROP-1",
                 "metric_name": "accuracy", "mlflow_run_id": run_id, "baseline_value": 0.8, "current_value": 0.9}
        url = server.url + "/api/models/tokenized-registration-events"
        first = requests.post(url, json=event, headers=bearer(key), timeout=10)
        again = requests.post(url, json=event, headers=bearer(key), timeout=10)
        assert first.status_code == again.status_code == 200, first.text
        assert first.json()["event_id"] == again.json()["event_id"] and again.json()["replayed"] is True

        cases = [
            ({"metric_name": "f1_score", "baseline_value": 0.5, "current_value": 0.6}, 200, None),
            ({"metric_name": "mse", "baseline_value": 0.40, "current_value": 0.30}, 200, None),
            ({"metric_name": "mse", "baseline_value": 0.30, "current_value": 0.40}, 422, "current_value"),
            ({"metric_name": "auroc", "baseline_value": 0.9, "current_value": 0.7}, 422, "current_value"),
            ({"metric_name": "accuracy", "baseline_value": 1.5}, 422, "baseline_value"),
            ({"metric_name": "ndcg"}, 422, "metric_name"),
            ({"metric_name": "ndcg", "metric_direction": "higher_is_better"}, 200, None),
            ({"baseline_value": "0.8"}, 422, "baseline_value"),
            ({"model_name": "  "}, 422, "model_name"),
            ({"api_schema": "not an object"}, 422, "api_schema"),
            ({"token_id": None}, 422, "token_id"),
        ]
        for index, (change, status, field) in enumerate(cases):
            body = {**event, "proposal_identifier": f"P-{index}", **change}
            body = {k: v for k, v in body.items() if v is not None}
            reply = requests.post(url, json=body, headers=bearer(key), timeout=10)
            assert reply.status_code == status, (change, reply.text)
            if field:
                assert field in [e["field"] for e in reply.json()["errors"]], reply.text
        missing = requests.post(url, json={**event, "version": "9"}, headers=bearer(key), timeout=10)
        assert missing.status_code == 404 and "version=9" in missing.json()["detail"]
        other, _ = create_key(server, user_id="someone-else")
        refused = requests.post(url, json=event, headers=bearer(other), timeout=10)
        assert refused.status_code == 403 and "scientist" in refused.json()["detail"]
        reader, _ = create_key(server, user_id="scientist", scopes=["read"])
        no_write = requests.post(url, json=event, headers=bearer(reader), timeout=10)
        assert no_write.status_code == 403
        assert no_write.json()["detail"] == "Insufficient permissions for model registration events"
    finally:
        server.stop()


def test_a_receiver_that_is_down_gets_the_event_when_it_comes_back(store_args, tmp_path):
    receiver = Receiver()  # nothing listens on its port yet
    server = start_server(store_args, tmp_path, receiver.url)
    try:
        key, _ = create_key(server, user_id="scientist")
        started = time.monotonic()
        reply = register(server, key, logged_model(server, key))
        assert reply.status_code == 201 and time.monotonic() - started < 5
        event_id = reply.json()["event_id"]
        state = wait_for_attempt(server, event_id)
        assert state["state"] == "queued" and state["attempts"] >= 1 and state["last_error"], state
        receiver.start()
        deliveries = receiver.wait_for(1, timeout=40)
        assert len(deliveries) == 1 and Receiver.verify(deliveries[0])
        time.sleep(2)
        keys = [d["headers"]["X-Hokusai-Idempotency-Key"] for d in receiver.received]
        assert len(keys) == len(set(keys)) == 1, "exactly once per idempotency key"
        delivered = requests.get(server.url + "/api/v1/events", params={"state": "delivered"},
                                 headers=bearer(server.admin_key), timeout=10).json()["events"]
        assert [e["event_id"] for e in delivered] == [event_id]
        metrics = requests.get(server.url + "/metrics", timeout=10).text
        assert 'hokusai_webhook_deliveries_total{outcome="retrying"}' in metrics
        assert 'hokusai_webhook_deliveries_total{outcome="delivered"} 1' in metrics

        again = requests.post(f"{server.url}/api/v1/events/{event_id}/redeliver", headers=bearer(server.admin_key), timeout=10)
        assert again.status_code == 200
        assert len(receiver.wait_for(2)) == 2 and receiver.received[1]["body"] == receiver.received[0]["body"]
    finally:
        server.stop()
        receiver.stop()


def test_events_pending_at_a_crash_are_delivered_after_restart(store_args, tmp_path):
    receiver = Receiver()
    server = start_server(store_args, tmp_path, receiver.url)
    key, _ = create_key(server, user_id="scientist")
    reply = register(server, key, logged_model(server, key))
    assert reply.status_code == 201
    event_id = reply.json()["event_id"]
    assert wait_for_attempt(server, event_id)["attempts"] >= 1, "tried (and failed) before the crash"
    server.stop(sig=signal.SIGKILL)
    receiver.start()
    try:
        server.start()
        deliveries = receiver.wait_for(1, timeout=60)
        assert len(deliveries) == 1
        assert json.loads(deliveries[0]["body"])["model"]["name"] == "lead-scorer"
    finally:
        server.stop()
        receiver.stop()


def test_webhook_urls_pointing_at_metadata_or_loopback_are_refused_at_start(store_args, tmp_path):
    for url, extra in (("http://169.254.169.254/latest/meta-data", ["--webhook-allow-loopback", "true"]),
                       ("http://127.0.0.1:9/hook", [])):
        server = Server(store_args, tmp_path, extra_args=["--webhook-url", url, *extra])
        with pytest.raises(AssertionError) as failure:
            server.start(timeout=20)
        assert "webhook URL" in str(failure.value)


def test_the_cli_registers_and_manages_events_remotely_and_on_the_store(store_args, tmp_path, receiver):
    from conftest import run_cli

    server = start_server(store_args, tmp_path, receiver.url)
    try:
        key, _ = create_key(server, user_id="scientist")
        run_id = logged_model(server, key)
        remote = {"HOKUSAI_URL": server.url, "HOKUSAI_API_KEY": key}
        registered = run_cli("models", "register", "--model-uri", f"runs:/{run_id}/model", "--name", "cli-model",
                             "--token-id", "clitok", "--metric", "mse", "--baseline", "0.4", "--current", "0.3", env=remote)
        assert "Registered cli-model version 1 for token CLITOK" in registered.stdout
        refused = run_cli("models", "register", "--model-uri", f"runs:/{run_id}/model", "--name", "cli-model",
                          "--token-id", "clitok", "--metric", "mse", "--baseline", "0.3", "--current", "0.4", env=remote, check=False)
        assert refused.returncode != 0 and "current_value" in refused.stderr
        assert len(receiver.wait_for(1)) == 1

        admin = {"HOKUSAI_URL": server.url, "HOKUSAI_API_KEY": server.admin_key}
        listed = json.loads(run_cli("events", "list", "--json", env=admin).stdout)["events"]
        [event] = [e for e in listed if e["model_name"] == "cli-model"]
        local = run_cli("events", "list", "--state", "delivered", *server.store_args)
        assert event["event_id"] in local.stdout and "delivered" in local.stdout
        # Queued on the store by the operator; the running server's delivery loop sends it.
        run_cli("events", "redeliver", event["event_id"], *server.store_args)
        assert len(receiver.wait_for(2)) == 2
        assert receiver.received[1]["headers"]["X-Hokusai-Idempotency-Key"] == receiver.received[0]["headers"]["X-Hokusai-Idempotency-Key"]
    finally:
        server.stop()
