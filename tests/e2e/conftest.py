"""Fixtures that run the real `hokusai` binary on a real socket, on SQLite and on PostgreSQL."""

import os
import re
import secrets
import signal
import socket
import subprocess
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

import mlflow
import pytest
import requests
from mlflow import MlflowClient

ROOT = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("HOKUSAI_BINARY", str(ROOT / ".build" / "debug" / "hokusai"))
POSTGRES_URL = os.environ.get("HOKUSAI_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = os.environ.get("HOKUSAI_REQUIRE_POSTGRES") == "1"
S3_ENDPOINT = os.environ.get("HOKUSAI_TEST_S3_ENDPOINT")
REQUIRE_S3 = os.environ.get("HOKUSAI_REQUIRE_S3") == "1"
KEY_PATTERN = re.compile(r"hk_(?:live|test|dev)_[0-9A-Za-z]{32}")


class Server:
    """One `hokusai serve` process; its output goes to files the tests read afterwards."""

    def __init__(self, store_args, workdir, extra_args=(), env=None, port_flag=True):
        self.port_flag = port_flag
        self.store_args = list(store_args)
        self.workdir = Path(workdir)
        self.extra_args = list(extra_args)
        self.env = env or {}
        self.process = None
        self.url = None
        self.run = 0

    def start(self, timeout=30):
        self.run += 1
        self.stdout_path = self.workdir / f"serve-{self.run}.out"
        self.stderr_path = self.workdir / f"serve-{self.run}.err"
        env = {**os.environ, **self.env}
        for name in ("HOKUSAI_API_KEY", "HOKUSAI_URL"):
            env.pop(name, None)
        self.process = subprocess.Popen(
            [BINARY, "serve", *(["--port", "0"] if self.port_flag else []), *self.store_args, *self.extra_args],
            stdout=open(self.stdout_path, "w"),
            stderr=open(self.stderr_path, "w"),
            env=env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(r"url=(http://\S+)", self.stderr_path.read_text())
            if match:
                self.url = match.group(1)
                requests.get(self.url + "/health", timeout=5).raise_for_status()
                return self
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}: {self.stderr_path.read_text()}")
            time.sleep(0.05)
        self.process.kill()
        raise AssertionError("server did not start within %ss: %s" % (timeout, self.stderr_path.read_text()))

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()

    @property
    def stdout(self):
        return self.stdout_path.read_text()

    @property
    def stderr(self):
        return self.stderr_path.read_text()

    def printed_keys(self):
        return sorted(set(KEY_PATTERN.findall(self.stdout)))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_cli(*args, env=None, check=True):
    """Runs `hokusai …` and returns the completed process."""
    full_env = {**os.environ, **(env or {})}
    if env is None or "HOKUSAI_API_KEY" not in env:
        full_env.pop("HOKUSAI_API_KEY", None)
    result = subprocess.run([BINARY, *args], capture_output=True, text=True, env=full_env, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"hokusai {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


@pytest.fixture(params=["sqlite", "postgres"])
def store_args(request, tmp_path):
    """Command-line flags selecting a fresh, empty store."""
    if request.param == "sqlite":
        return ["--data-dir", str(tmp_path / "data")]
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("HOKUSAI_REQUIRE_POSTGRES=1 but HOKUSAI_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL server (set HOKUSAI_TEST_POSTGRES_URL)")
    schema = "e2e_" + secrets.token_hex(6)
    separator = "&" if "?" in POSTGRES_URL else "?"
    return ["--data-dir", str(tmp_path / "data"), "--database-url", f"{POSTGRES_URL}{separator}schema={schema}"]


@pytest.fixture
def server(store_args, tmp_path):
    instance = Server(store_args, tmp_path).start()
    keys = instance.printed_keys()
    assert len(keys) == 1, "the first start prints exactly one key"
    instance.admin_key = keys[0]
    yield instance
    instance.stop()


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def create_key(server, **fields):
    reply = requests.post(server.url + "/api/v1/keys", json={"name": "e2e", **fields}, headers=bearer(server.admin_key), timeout=10)
    assert reply.status_code == 201, reply.text
    body = reply.json()
    return body["api_key"], body["key_id"]


@pytest.fixture
def tracking(server, monkeypatch):
    """The client pointed at `/api/mlflow` with a Hokusai key, nothing else configured."""
    yield from tracking_client(server, monkeypatch)


def tracking_client(server, monkeypatch):
    key, _ = create_key(server, user_id="scientist")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", key)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    uri = server.url + "/api/mlflow"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    mlflow.set_tracking_uri(uri)
    # The fluent API remembers the active experiment across servers; start each test in Default.
    mlflow.set_experiment(experiment_id="0")
    client = MlflowClient(uri)
    client.hokusai_key = key
    yield client
    while mlflow.active_run():
        mlflow.end_run()


def serve_on_loopback(handler_class, port):
    """A small HTTP server of the tests' own (receiver, fault-injecting front, echo upstream) on a
    background thread; stop it with `stop_serving`."""
    httpd = ThreadingHTTPServer(("127.0.0.1", port), handler_class)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def stop_serving(httpd):
    httpd.shutdown()
    httpd.server_close()


class Bucket:
    """A fresh bucket on moto's S3 server, read with boto3 from outside the server under test."""

    def __init__(self):
        import boto3

        self.name = "e2e-" + secrets.token_hex(6)
        self.prefix = "team/mlflow"
        self.s3 = boto3.client(
            "s3", endpoint_url=S3_ENDPOINT, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
        self.s3.create_bucket(Bucket=self.name)

    def objects(self):
        """Every key with its size."""
        found = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.name):
            found.update({item["Key"]: item["Size"] for item in page.get("Contents", [])})
        return found

    def open_multipart_uploads(self):
        return self.s3.list_multipart_uploads(Bucket=self.name).get("Uploads", [])

    @staticmethod
    def server_env():
        return {
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_S3": S3_ENDPOINT,
        }  # fmt: skip


@pytest.fixture
def bucket():
    if not S3_ENDPOINT:
        if REQUIRE_S3:
            pytest.fail("HOKUSAI_REQUIRE_S3=1 but HOKUSAI_TEST_S3_ENDPOINT is not set")
        pytest.skip("no S3 server (set HOKUSAI_TEST_S3_ENDPOINT to moto's)")
    return Bucket()


@pytest.fixture
def s3_server(store_args, tmp_path, bucket):
    """The server with its artifacts in `bucket`, under its prefix."""
    instance = Server(
        store_args, tmp_path, extra_args=["--artifacts-destination", f"s3://{bucket.name}/{bucket.prefix}"],
        env=Bucket.server_env()).start()  # fmt: skip
    instance.admin_key = instance.printed_keys()[0]
    yield instance
    instance.stop()


@pytest.fixture
def s3_tracking(s3_server, monkeypatch):
    yield from tracking_client(s3_server, monkeypatch)
