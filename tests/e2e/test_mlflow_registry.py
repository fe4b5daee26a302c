"""The MLflow client, unchanged, through the whole model workflow: log, log_model, register, promote, load."""

import hashlib
import http.client
import json
import os
import pathlib
import socket
import time
import urllib.parse

import mlflow
import numpy as np
import pytest
import requests
from mlflow import MlflowClient
from mlflow.exceptions import RestException
from sklearn.linear_model import LogisticRegression

from conftest import bearer, create_key


def trained_model():
    features = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1]] * 4)
    labels = np.array([0, 1, 0, 1, 0, 1] * 4)
    return LogisticRegression().fit(features, labels), features


def test_log_register_promote_and_load_the_model(tracking, tmp_path):
    model, features = trained_model()
    mlflow.set_experiment("e2e-registry")
    with mlflow.start_run() as run:
        mlflow.log_param("C", 1.0)
        mlflow.log_metric("accuracy", 0.95)
        notes = tmp_path / "notes.txt"
        notes.write_text("trained on the toy set")
        mlflow.log_artifact(str(notes))
        folder = tmp_path / "report"
        (folder / "plots").mkdir(parents=True)
        (folder / "summary.md").write_text("# summary")
        (folder / "plots" / "roc.csv").write_text("fpr,tpr\n0,0\n1,1\n")
        mlflow.log_artifacts(str(folder), artifact_path="report")
        mlflow.log_text("free text", "texts/free.txt")
        mlflow.log_dict({"threshold": 0.5}, "config/params.json")
        logged = mlflow.sklearn.log_model(
            model, name="model", registered_model_name="e2e-churn", input_example=features[:2])
    run_id = run.info.run_id
    assert str(logged.registered_model_version) == "1"

    top = {item.path: item.is_dir for item in tracking.list_artifacts(run_id)}
    assert top == {"config": True, "notes.txt": False, "report": True, "texts": True}
    assert [item.path for item in tracking.list_artifacts(run_id, "report")] == ["report/plots", "report/summary.md"]
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/texts/free.txt") == "free text"
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config/params.json") == {"threshold": 0.5}
    downloaded = pathlib.Path(tracking.download_artifacts(run_id, "report", str(tmp_path / "download")))
    assert sorted(str(p.relative_to(downloaded)) for p in downloaded.rglob("*")) == ["plots", "plots/roc.csv", "summary.md"]
    assert (downloaded / "plots" / "roc.csv").read_text() == "fpr,tpr\n0,0\n1,1\n"

    second = mlflow.register_model(f"runs:/{run_id}/model", "e2e-churn")
    assert second.version == "2" and second.status == "READY"
    tracking.set_registered_model_alias("e2e-churn", "champion", "1")
    assert tracking.get_model_version_by_alias("e2e-churn", "champion").version == "1"

    expected = model.predict(features)
    for uri in ("models:/e2e-churn/1", "models:/e2e-churn@champion", f"runs:/{run_id}/model"):
        loaded = mlflow.pyfunc.load_model(uri)
        assert (loaded.predict(features) == expected).all(), uri

    tracking.transition_model_version_stage("e2e-churn", "2", "Staging")
    tracking.transition_model_version_stage("e2e-churn", "1", "Production")
    latest = {v.current_stage: v.version for v in tracking.get_latest_versions("e2e-churn")}
    assert latest == {"Staging": "2", "Production": "1"}
    assert [v.version for v in tracking.get_latest_versions("e2e-churn", stages=["Production"])] == ["1"]
    found = tracking.search_registered_models(filter_string="name = 'e2e-churn'")
    assert [m.name for m in found] == ["e2e-churn"]
    assert {v.version for v in tracking.search_model_versions("name = 'e2e-churn'")} == {"1", "2"}
    registered = tracking.get_registered_model("e2e-churn")
    assert registered.aliases == {"champion": "1"}

    tracking.delete_registered_model_alias("e2e-churn", "champion")
    with pytest.raises(RestException) as missing:
        tracking.get_model_version_by_alias("e2e-churn", "champion")
    assert missing.value.error_code == "INVALID_PARAMETER_VALUE"
    tracking.update_model_version("e2e-churn", "1", description="first")
    assert tracking.get_model_version("e2e-churn", "1").description == "first"


def test_search_registered_models_pages(tracking):
    for index in range(5):
        tracking.create_registered_model(f"e2e-page-{index}")
    first = tracking.search_registered_models(max_results=2)
    assert [m.name for m in first] == ["e2e-page-0", "e2e-page-1"] and first.token
    rest = tracking.search_registered_models(max_results=10, page_token=first.token)
    assert [m.name for m in rest] == ["e2e-page-2", "e2e-page-3", "e2e-page-4"]


def test_another_users_key_cannot_add_a_version(tracking, server, monkeypatch):
    model, features = trained_model()
    mlflow.set_experiment("e2e-owned")
    with mlflow.start_run():
        mlflow.sklearn.log_model(model, name="model", registered_model_name="e2e-owned", input_example=features[:2])

    intruder_key, _ = create_key(server, user_id="intruder")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", intruder_key)
    intruder = MlflowClient(server.url + "/api/mlflow")
    assert intruder.get_registered_model("e2e-owned").name == "e2e-owned"
    experiment = intruder.create_experiment("e2e-intruder")
    run = intruder.create_run(experiment)
    with pytest.raises(RestException) as refused:
        intruder.create_model_version("e2e-owned", f"runs:/{run.info.run_id}/model", run.info.run_id)
    assert refused.value.error_code == "PERMISSION_DENIED"
    assert "belongs to user 'scientist'" in refused.value.message
    with pytest.raises(RestException):
        intruder.set_registered_model_alias("e2e-owned", "hijacked", "1")
    with pytest.raises(RestException):
        intruder.delete_registered_model("e2e-owned")


def raw_request(url, method, path, key, body=None, headers=None):
    """Sends `path` exactly as written: no client-side normalisation of `..` or percent-escapes."""
    parsed = urllib.parse.urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.putheader("Authorization", f"Bearer {key}")
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_traversal_over_a_real_socket_touches_nothing_outside_the_root(tracking, server, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("do-not-serve")
    before = sorted(p.name for p in tmp_path.iterdir())
    experiment_id = tracking.create_experiment("e2e-traversal")
    run = tracking.create_run(experiment_id)
    base = "/api/mlflow/api/2.0/mlflow-artifacts/artifacts"
    run_root = f"{experiment_id}/{run.info.run_id}/artifacts"
    up = "../../../../outside"  # artifacts root is <tmp>/data/artifacts
    forms = [
        f"{run_root}/{up}/secret.txt",
        f"{run_root}/{up.replace('/', '%2f')}%2fsecret.txt",
        f"{run_root}/{up.replace('..', '%2e%2e')}/secret.txt",
        f"{run_root}/{up.replace('..', '%252e%252e').replace('/', '%252f')}%252fsecret.txt",
        f"{run_root}/{up.replace('/', '%5c')}%5csecret.txt",
        f"/{tmp_path}/outside/secret.txt",
        f"{run_root}/a%00.txt",
    ]
    for form in forms:
        for method, body in (("PUT", b"overwritten"), ("GET", None), ("DELETE", None)):
            status, content = raw_request(server.url, method, f"{base}/{form}", tracking.hokusai_key, body)
            assert status == 400, (method, form, status, content)
            assert json.loads(content)["message"] == "Invalid path"
            assert b"do-not-serve" not in content
    for listed in ("../", "/etc", f"{run_root}/{up}"):
        reply = requests.get(server.url + base, params={"path": listed}, headers=bearer(tracking.hokusai_key), timeout=10)
        assert reply.status_code == 400, (listed, reply.text)
    assert (outside / "secret.txt").read_text() == "do-not-serve"
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_upload_cut_short_leaves_no_visible_file(tracking, server, tmp_path):
    experiment_id = tracking.create_experiment("e2e-cut")
    run = tracking.create_run(experiment_id)
    path = f"/api/mlflow/api/2.0/mlflow-artifacts/artifacts/{experiment_id}/{run.info.run_id}/artifacts/big.bin"
    host, port = urllib.parse.urlparse(server.url).hostname, urllib.parse.urlparse(server.url).port
    with socket.create_connection((host, port), timeout=10) as raw:
        raw.sendall(
            (f"PUT {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {tracking.hokusai_key}\r\n"
             f"Content-Type: application/octet-stream\r\nContent-Length: {50 * 2**20}\r\n\r\n").encode())
        raw.sendall(os.urandom(4 * 2**20))
    # The client died mid-upload: the server must drop the staging file and show nothing.
    staging = tmp_path / "data" / "artifacts" / ".hokusai-uploads"
    deadline = time.monotonic() + 10
    while any(staging.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(staging.iterdir()) == []
    listing = requests.get(
        server.url + "/api/mlflow/api/2.0/mlflow-artifacts/artifacts",
        params={"path": f"{experiment_id}/{run.info.run_id}/artifacts"}, headers=bearer(tracking.hokusai_key), timeout=10)
    assert listing.json() == {}
    assert requests.get(server.url + path, headers=bearer(tracking.hokusai_key), timeout=10).status_code == 404


def test_a_large_artifact_round_trips_byte_for_byte(tracking, tmp_path):
    experiment_id = tracking.create_experiment("e2e-large")
    run = tracking.create_run(experiment_id)
    blob = tmp_path / "blob.bin"
    with open(blob, "wb") as out:
        for _ in range(24):
            out.write(os.urandom(2**20))
    tracking.log_artifact(run.info.run_id, str(blob), "data")
    target = pathlib.Path(tracking.download_artifacts(run.info.run_id, "data/blob.bin", str(tmp_path / "back")))
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(blob.read_bytes()).digest()


def test_a_stalled_upload_is_dropped_after_the_idle_timeout(store_args, tmp_path):
    from conftest import Server

    server = Server(store_args, tmp_path, extra_args=["--idle-timeout", "2"]).start()
    try:
        key = server.printed_keys()[0]
        experiment_id = requests.post(
            server.url + "/api/mlflow/api/2.0/mlflow/experiments/create", json={"name": "stall"}, headers=bearer(key),
            timeout=10).json()["experiment_id"]
        run_id = requests.post(
            server.url + "/api/mlflow/api/2.0/mlflow/runs/create", json={"experiment_id": experiment_id}, headers=bearer(key),
            timeout=10).json()["run"]["info"]["run_id"]
        path = f"/api/mlflow/api/2.0/mlflow-artifacts/artifacts/{experiment_id}/{run_id}/artifacts/stalled.bin"
        parsed = urllib.parse.urlparse(server.url)
        with socket.create_connection((parsed.hostname, parsed.port), timeout=15) as raw:
            raw.sendall(
                (f"PUT {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
                 f"Content-Length: {2**20}\r\n\r\n").encode() + b"x" * 1000)
            started = time.monotonic()
            # The client now sends nothing; the server must hang up by itself (recv times out otherwise).
            try:
                while raw.recv(65536):
                    pass
            except ConnectionResetError:
                pass
            closed_after = time.monotonic() - started
        assert closed_after < 12, closed_after
        reply = requests.get(server.url + path, headers=bearer(key), timeout=10)
        assert reply.status_code == 404
        assert list((tmp_path / "data" / "artifacts" / ".hokusai-uploads").iterdir()) == []
    finally:
        server.stop()
