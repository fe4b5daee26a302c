"""The MLflow client, unchanged, with the server's artifacts in an S3 bucket (moto's server): the
whole model workflow, multipart uploads, an upload cut short, and S3's failures as the client sees them."""

import hashlib
import os
import pathlib
import socket
import time
import urllib.parse

import mlflow
import pytest
import requests
from mlflow.exceptions import MlflowException

import test_mlflow_registry as registry
from conftest import Bucket, Server, bearer, run_cli


def test_the_whole_model_workflow_keeps_its_files_in_the_bucket(s3_tracking, bucket, tmp_path):
    registry.test_log_register_promote_and_load_the_model(s3_tracking, tmp_path)
    keys = bucket.objects()
    assert keys and all(key.startswith("team/mlflow/") for key in keys), keys
    # MLflow 3 logs the model as a logged model: <experiment>/models/<model id>/artifacts/MLmodel.
    assert any("/models/m-" in key and key.endswith("/artifacts/MLmodel") for key in keys), keys
    local = tmp_path / "data" / "artifacts"
    assert not local.exists() or [p for p in local.rglob("*") if p.is_file()] == [], "nothing on local disk"


def test_a_large_artifact_goes_up_in_parts_and_round_trips(s3_tracking, bucket, tmp_path):
    experiment_id = s3_tracking.create_experiment("e2e-s3-large")
    run = s3_tracking.create_run(experiment_id)
    blob = tmp_path / "blob.bin"
    with open(blob, "wb") as out:
        for _ in range(20):
            out.write(os.urandom(2**20))
    s3_tracking.log_artifact(run.info.run_id, str(blob), "data")
    key = f"team/mlflow/{experiment_id}/{run.info.run_id}/artifacts/data/blob.bin"
    assert bucket.objects() == {key: 20 * 2**20}
    # A multipart object's ETag names its part count: 8 MiB parts, so three.
    assert bucket.s3.head_object(Bucket=bucket.name, Key=key)["ETag"].endswith('-3"')
    target = pathlib.Path(s3_tracking.download_artifacts(run.info.run_id, "data/blob.bin", str(tmp_path / "back")))
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(blob.read_bytes()).digest()


def test_an_upload_cut_short_leaves_no_object_and_no_parts(s3_tracking, s3_server, bucket):
    experiment_id = s3_tracking.create_experiment("e2e-s3-cut")
    run = s3_tracking.create_run(experiment_id)
    path = f"/api/mlflow/api/2.0/mlflow-artifacts/artifacts/{experiment_id}/{run.info.run_id}/artifacts/big.bin"
    url = urllib.parse.urlparse(s3_server.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as raw:
        raw.sendall(
            (f"PUT {path} HTTP/1.1\r\nHost: {url.hostname}\r\nAuthorization: Bearer {s3_tracking.hokusai_key}\r\n"
             f"Content-Type: application/octet-stream\r\nContent-Length: {50 * 2**20}\r\n\r\n").encode())
        raw.sendall(os.urandom(20 * 2**20))  # two parts up, then the client dies
        time.sleep(0.5)
    deadline = time.monotonic() + 10
    while bucket.open_multipart_uploads() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert bucket.open_multipart_uploads() == [], "the started upload was aborted"
    assert bucket.objects() == {}
    assert requests.get(s3_server.url + path, headers=bearer(s3_tracking.hokusai_key), timeout=10).status_code == 404


def test_a_missing_bucket_is_named_in_the_answer_the_log_ready_and_metrics(store_args, tmp_path, bucket, monkeypatch):
    from conftest import tracking_client

    server = Server(
        store_args, tmp_path, extra_args=["--artifacts-destination", "s3://e2e-no-such-bucket/x"],
        env=Bucket.server_env()).start()  # fmt: skip
    server.admin_key = server.printed_keys()[0]
    try:
        client = next(tracking_client(server, monkeypatch))
        run = client.create_run(client.create_experiment("e2e-s3-missing"))
        path = f"{run.info.experiment_id}/{run.info.run_id}/artifacts/notes.txt"
        reply = requests.put(
            f"{server.url}/api/mlflow/api/2.0/mlflow-artifacts/artifacts/{path}", data=b"x",
            headers=bearer(client.hokusai_key), timeout=10)  # fmt: skip
        assert reply.status_code == 503, reply.text
        assert reply.json()["error_code"] == "TEMPORARILY_UNAVAILABLE"
        assert "bucket 'e2e-no-such-bucket' does not exist in region us-east-1" in reply.json()["message"], reply.text
        # The MLflow client retries a 503 and then reports only that: the log says why.
        notes = tmp_path / "notes.txt"
        notes.write_text("x")
        with pytest.raises(MlflowException, match="503"):
            client.log_artifact(run.info.run_id, str(notes))
        log = server.stderr_path.read_text()
        assert "artifact store does not answer" in log and "NoSuchBucket" in log, log[-3000:]
        assert "testing" not in log + reply.text, "no credential in a log line or an answer"
        ready = requests.get(server.url + "/ready", timeout=10)
        assert ready.status_code == 200, "not critical: tracking still works"
        check = next(c for c in ready.json()["checks"] if c["name"] == "artifact_store")
        assert check["passed"] is False and "no_such_bucket" in check["detail"], check
        metrics = requests.get(server.url + "/metrics", timeout=10).text
        assert 'hokusai_artifact_store_failures_total{reason="no_such_bucket"}' in metrics, metrics[-2000:]
    finally:
        server.stop()


def test_a_disk_store_moves_to_the_bucket_and_its_models_still_load(tracking, server, bucket, tmp_path):
    """`hokusai artifacts migrate`, then a restart on the bucket: the runs' and models' URIs name a
    path inside the store, so the model registered on disk loads from S3 with nothing else changed."""
    registry.test_log_register_promote_and_load_the_model(tracking, tmp_path)
    run_id = tracking.get_model_version("e2e-churn", "1").run_id
    server.stop()
    local = tmp_path / "data" / "artifacts"
    on_disk = {str(p.relative_to(local)): p.stat().st_size for p in local.rglob("*")
               if p.is_file() and ".hokusai-uploads" not in p.parts}  # fmt: skip
    (local / "1").mkdir(exist_ok=True)
    (local / "1" / "elsewhere").symlink_to("/etc/hostname")

    target = f"s3://{bucket.name}/{bucket.prefix}"
    first = run_cli("artifacts", "migrate", "--data-dir", str(tmp_path / "data"), "--to", target,
                    env=Bucket.server_env(), check=False)  # fmt: skip
    assert first.returncode == 0, first.stderr + first.stdout
    assert f"copied:        {len(on_disk)}" in first.stdout, first.stdout
    assert "skipped 1/elsewhere: not a regular file" in first.stdout, first.stdout
    assert bucket.objects() == {f"{bucket.prefix}/{path}": size for path, size in on_disk.items()}

    again = run_cli("artifacts", "migrate", "--from", str(local), "--to", target, env=Bucket.server_env())
    assert f"already there: {len(on_disk)}" in again.stdout and "copied:        0" in again.stdout, again.stdout

    local.rename(tmp_path / "data" / "artifacts-old")  # from here on, only the bucket has the files
    moved = Server(server.store_args, tmp_path, extra_args=["--artifacts-destination", target],
                   env=Bucket.server_env()).start()  # fmt: skip
    try:
        mlflow.set_tracking_uri(moved.url + "/api/mlflow")
        model, features = registry.trained_model()
        for uri in ("models:/e2e-churn/1", f"runs:/{run_id}/model"):
            assert (mlflow.pyfunc.load_model(uri).predict(features) == model.predict(features)).all(), uri
        assert mlflow.artifacts.load_text(f"runs:/{run_id}/texts/free.txt") == "free text"
    finally:
        moved.stop()


def test_migrating_into_a_missing_bucket_names_it_and_fails(tmp_path, bucket):
    (tmp_path / "artifacts" / "1").mkdir(parents=True)
    (tmp_path / "artifacts" / "1" / "f.txt").write_text("x")
    result = run_cli("artifacts", "migrate", "--from", str(tmp_path / "artifacts"), "--to", "s3://no-such-bucket-e2e/x",
                     env=Bucket.server_env(), check=False)  # fmt: skip
    assert result.returncode != 0
    assert "no-such-bucket-e2e" in result.stderr, result.stderr
