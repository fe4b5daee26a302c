"""`hokusai doctor` against healthy and broken deployments: the report names the broken layer."""

import json
import os
import re
import pty
import ssl
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import mlflow
import requests

from conftest import BINARY, Server, bearer, create_key, free_port, run_cli, serve_on_loopback, stop_serving
from test_mlflow_proxy import real_mlflow, start_mlflow_server  # noqa: F401 (real_mlflow is a fixture)
from test_registration_events import Receiver, logged_model, receiver, register, start_server  # noqa: F401 (receiver is a fixture)
from test_split_auth import auth_server, gateway_server

# The compiled MLflow UI of the venv's mlflow, served by `--mlflow-ui` (see test_mlflow_ui.py).
UI_BUILD = str(Path(mlflow.__file__).parent / "server" / "js" / "build")


def doctor(url, key=None, *args):
    env = {"HOKUSAI_API_KEY": key} if key else {}
    result = run_cli("doctor", "--url", url, "--format", "json", *args, env=env, check=False)
    return result.returncode, json.loads(result.stdout)


def diagnoses(report):
    return [check["diagnosis"] for check in report["checks"] if check["outcome"] == "fail" and "diagnosis" in check]


def test_a_healthy_server_passes_every_stage_and_is_left_clean(store_args, tmp_path, receiver):
    server = start_server(store_args, tmp_path, receiver.url, extra_args=["--mlflow-ui", UI_BUILD])
    try:
        # A data scientist's key, not an admin's: everything the doctor needs is open to a writer.
        key, _ = create_key(server, user_id="scientist")
        code, report = doctor(server.url, key, "--send-test-event", "--event-timeout", "20")
        assert code == 0 and report["verdict"] == "healthy", json.dumps([c for c in report["checks"] if c["outcome"] != "pass"])
        assert {stage["stage"] for stage in report["stages"]} == {"infra", "auth", "tracking", "artifacts", "registry", "events", "ui"}
        ui = {check["name"] for check in report["checks"] if check["stage"] == "ui" and check["outcome"] == "pass"}
        assert ui == {"the UI's page", "the UI's scripts", "the UI's API calls", "the UI's GraphQL"}
        names = {check["name"] for check in report["checks"] if check["stage"] == "events" and check["outcome"] == "pass"}
        assert names == {"delivery summary", "registration (dry run)", "dry run left nothing behind", "queue a ping", "ping delivered"}
        # The receiver heard one signed ping and no model: a doctor run never announces a registration.
        [delivery] = receiver.received
        assert json.loads(delivery["body"])["event_type"] == "ping" and Receiver.verify(delivery)
        events = requests.get(server.url + "/api/v1/events", headers=bearer(server.admin_key), timeout=10).json()["events"]
        assert [event["event_type"] for event in events] == ["ping"]
        models = requests.get(server.url + "/api/mlflow/api/2.0/mlflow/registered-models/search", headers=bearer(key), timeout=10)
        assert models.json().get("registered_models", []) == [], "the doctor's model was deleted"
        experiments = requests.post(server.url + "/api/mlflow/api/2.0/mlflow/experiments/search", json={"view_type": "ACTIVE_ONLY"},
                                    headers=bearer(key), timeout=10).json()["experiments"]
        assert [e["name"] for e in experiments] == ["Default"], "the doctor's experiment was deleted"
        markdown = run_cli("doctor", "--url", server.url, "--format", "markdown", "--stages", "infra", env={"HOKUSAI_API_KEY": key})
        assert "**Verdict: healthy**" in markdown.stdout and key not in markdown.stdout
    finally:
        server.stop()


def test_event_delivery_problems_are_named(store_args, tmp_path):
    refusing = Receiver(status=401).start()
    server = start_server(store_args, tmp_path, refusing.url)
    try:
        code, report = doctor(server.url, server.admin_key, "--stages", "events", "--send-test-event", "--event-timeout", "20")
        assert code == 1, "registration works; delivery does not: degraded"
        [finding] = diagnoses(report)
        assert finding["layer"] == "event delivery" and "signature" in finding["cause"] and "--webhook-secret" in finding["fix"]
    finally:
        server.stop()
        refusing.stop()

    # A receiver that never came back: the registration's event gave up, and the report says how to send it again.
    gone = Receiver()
    (tmp_path / "dead").mkdir()
    server = Server(["--data-dir", str(tmp_path / "dead" / "data")], tmp_path / "dead",
                    extra_args=["--webhook-url", gone.url, "--webhook-allow-loopback", "true", "--webhook-timeout", "1",
                                "--webhook-retry-seconds", "1"]).start()
    try:
        admin = server.printed_keys()[0]
        server.admin_key = admin
        event_id = register(server, admin, logged_model(server, admin)).json()["event_id"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = requests.get(f"{server.url}/api/v1/events/{event_id}", headers=bearer(admin), timeout=10).json()["state"]
            if state == "dead":
                break
            time.sleep(0.3)
        assert state == "dead"
        code, report = doctor(server.url, admin, "--stages", "events")
        [finding] = diagnoses(report)
        assert finding["layer"] == "event delivery" and "gave up" in finding["cause"] and "cannot reach the receiver" in finding["cause"]
        assert "hokusai events redeliver" in finding["fix"]
    finally:
        server.stop()


def test_a_server_without_a_webhook_is_told_to_configure_one(server):
    code, report = doctor(server.url, server.admin_key, "--stages", "events", "--send-test-event")
    assert code == 1
    [warning] = [c for c in report["checks"] if c["outcome"] == "warn"]
    assert "--webhook-url" in warning["diagnosis"]["fix"]
    assert any(c["name"] == "ping delivered" and c["outcome"] == "skip" for c in report["checks"])


def test_key_problems_are_named(server):
    key, key_id = create_key(server, user_id="someone")
    requests.delete(f"{server.url}/api/v1/keys/{key_id}", headers=bearer(server.admin_key), timeout=10)
    code, report = doctor(server.url, key, "--stages", "infra,auth")
    assert code == 2 and any(d["layer"] == "API key" and "revoked" in d["cause"] for d in diagnoses(report))

    reader, _ = create_key(server, user_id="reader", scopes=["read"])
    code, report = doctor(server.url, reader, "--stages", "auth,tracking")
    assert code == 1, "tracking fails but authentication works: degraded"
    assert any(d["layer"] == "API key" and "scope" in d["cause"] for d in diagnoses(report))


def test_an_expired_key_is_named_as_expired(tmp_path):
    server = Server(["--data-dir", str(tmp_path / "data")], tmp_path).start()
    try:
        server.admin_key = server.printed_keys()[0]
        key, key_id = create_key(server, user_id="old", expires_in_days=1)
        # The day passes in the store (the server never issues a key that is already expired).
        with sqlite3.connect(tmp_path / "data" / "hokusai.sqlite", timeout=10) as db:
            db.execute("UPDATE api_keys SET expires_at = ? WHERE id = ?", (int((time.time() - 60) * 1000), key_id))
        code, report = doctor(server.url, key, "--stages", "infra,auth")
        assert code == 2
        found = diagnoses(report)
        assert found and all(d["layer"] == "API key" and "expired" in d["cause"] for d in found), found
        assert "rotate" in found[0]["fix"] or "new key" in found[0]["fix"]
    finally:
        server.stop()


def test_an_auth_service_outage_is_not_blamed_on_the_key(store_args, tmp_path):
    auth = auth_server(store_args, tmp_path)
    gateway = gateway_server(store_args, tmp_path, auth)
    try:
        reply = requests.post(auth.url + "/api/v1/keys", json={"name": "d", "user_id": "d"}, headers=bearer(auth.admin_key), timeout=10)
        key = reply.json()["api_key"]
        healthy, report = doctor(gateway.url, key, "--stages", "infra,auth", "--auth-url", auth.url)
        assert healthy == 0, [c for c in report["checks"] if c["outcome"] != "pass"]
        auth.stop()
        code, report = doctor(gateway.url, key, "--stages", "infra,auth", "--auth-url", auth.url)
        assert code == 2
        found = diagnoses(report)
        assert any(d["layer"] == "auth service" for d in found), found
        assert not any(d["layer"] == "API key" for d in found)
        assert any(c["name"].startswith("auth service health") and c["outcome"] == "fail" for c in report["checks"])
    finally:
        gateway.stop()
        auth.stop()


def test_an_unreachable_upstream_and_a_missing_server_are_named(tmp_path):
    closed = f"http://127.0.0.1:{free_port()}"
    gateway = Server(["--data-dir", str(tmp_path / "data")], tmp_path, extra_args=["--mlflow-upstream", closed]).start()
    try:
        code, report = doctor(gateway.url, gateway.printed_keys()[0], "--stages", "infra,tracking")
        assert code == 2 and any(d["layer"] == "upstream MLflow" for d in diagnoses(report))
    finally:
        gateway.stop()
    code, report = doctor(closed, None, "--stages", "infra")
    assert code == 2 and diagnoses(report)[0]["layer"] == "network/TLS"


def test_a_server_without_the_ui_is_degraded_with_the_fix_named(store_args, tmp_path):
    server = Server(store_args, tmp_path, extra_args=["--mlflow-ui", "off"]).start()
    try:
        code, report = doctor(server.url, server.printed_keys()[0], "--stages", "infra,ui")
        assert code == 1 and report["verdict"] == "degraded", "every client still works: a warning, not a failure"
        page = next(c for c in report["checks"] if c["name"] == "the UI's page")
        assert page["outcome"] == "warn" and page["diagnosis"]["layer"] == "web UI"
        assert "--mlflow-ui" in page["diagnosis"]["fix"] and "pip install mlflow" in page["diagnosis"]["fix"]
        skipped = {c["name"] for c in report["checks"] if c["stage"] == "ui" and c["outcome"] == "skip"}
        assert skipped == {"the UI's scripts", "the UI's API calls", "the UI's GraphQL"}
    finally:
        server.stop()


def test_a_bare_mlflow_server_is_reported_as_unauthenticated(real_mlflow):
    code, report = doctor(real_mlflow, None)
    assert code == 2
    [finding] = diagnoses(report)
    assert "no authentication is in place" in finding["cause"]
    assert any(c["name"] == "tracking URI" and c["outcome"] == "pass" for c in report["checks"])
    assert next(s for s in report["stages"] if s["stage"] == "tracking")["passed"] > 0


class FaultyFront:
    """A small reverse proxy on loopback that answers some paths with a load balancer's plain 404,
    or every request with `status`, and forwards the rest."""

    def __init__(self, target, missing_prefix=None, status=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        front = self

        class Handler(BaseHTTPRequestHandler):
            def handle_any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if status or (missing_prefix and self.path.startswith(missing_prefix)):
                    code = status or 404
                    self.send_response(code)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"Not Found" if code == 404 else b"Service Unavailable")
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                reply = requests.request(self.command, target + self.path, data=body, headers=headers, timeout=60)
                self.send_response(reply.status_code)
                for name, value in reply.headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.content)))
                self.end_headers()
                self.wfile.write(reply.content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

            def log_message(self, *args):
                pass

        self.httpd = serve_on_loopback(Handler, self.port)

    def stop(self):
        stop_serving(self.httpd)


def test_a_missing_route_family_is_blamed_on_routing(server):
    front = FaultyFront(server.url, missing_prefix="/api/mlflow/")
    try:
        code, report = doctor(front.url, server.admin_key, "--stages", "infra")
        assert code == 2
        [finding] = diagnoses(report)
        assert finding["layer"] == "load balancer or routing" and "/api/mlflow" in finding["cause"]
    finally:
        front.stop()


def test_an_auth_service_answering_503_and_a_wrong_service_key_are_named(server, store_args, tmp_path):
    key, _ = create_key(server, user_id="w")
    failing_auth = FaultyFront(server.url, status=503)
    (tmp_path / "gateway").mkdir()
    gateway = Server(["--data-dir", str(tmp_path / "gateway" / "data")], tmp_path / "gateway",
                     extra_args=["--role", "gateway", "--auth-url", failing_auth.url]).start()
    try:
        code, report = doctor(gateway.url, key, "--stages", "infra,auth")
        assert code == 2 and {d["layer"] for d in diagnoses(report)} == {"auth service"}
    finally:
        gateway.stop()
        failing_auth.stop()
    website, _ = create_key(server, user_id="w", service_id="website")
    code, report = doctor(server.url, website, "--stages", "auth")
    assert code == 2 and any("another service" in d["cause"] and "website" in d["cause"] for d in diagnoses(report))


def test_artifacts_not_served_behind_a_gateway_are_named(tmp_path):
    (tmp_path / "mlflow").mkdir()
    upstream, url = start_mlflow_server(tmp_path / "mlflow", "--no-serve-artifacts")
    gateway = Server(["--data-dir", str(tmp_path / "data")], tmp_path, extra_args=["--mlflow-upstream", url]).start()
    try:
        code, report = doctor(gateway.url, gateway.printed_keys()[0], "--stages", "infra")
        assert code == 2, "log_artifact and log_model cannot work: failing"
        assert any(d["layer"] == "artifact store" and "not served" in d["cause"] for d in diagnoses(report)), diagnoses(report)
    finally:
        gateway.stop()
        upstream.terminate()
        upstream.wait(timeout=30)


def test_an_untrusted_certificate_is_named_after_dns_and_tcp_pass(tmp_path):
    key_file, cert_file = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key_file), "-out", str(cert_file),
                    "-days", "1", "-subj", "/CN=localhost"], check=True, capture_output=True)
    port = free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        code, report = doctor(f"https://localhost:{port}", None, "--stages", "infra,auth")
        assert code == 2
        [finding] = diagnoses(report)
        assert finding["layer"] == "network/TLS" and "not trusted" in finding["cause"], finding
        outcomes = {check["name"]: check["outcome"] for check in report["checks"]}
        assert outcomes["DNS"] == "pass" and outcomes["TCP connect"] == "pass" and outcomes["TLS handshake"] == "fail"
        assert outcomes["all checks"] == "skip", "the auth stage does not repeat the finding"
    finally:
        stop_serving(httpd)


def test_a_terminal_sees_one_progress_line_per_check_and_only_a_masked_key(server):
    """On a terminal (stderr a tty) each check prints a line as it finishes; the report goes to stdout."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "HOKUSAI_API_KEY": server.admin_key}
    process = subprocess.Popen([BINARY, "doctor", "--url", server.url, "--stages", "infra,auth"],
                               stdout=subprocess.PIPE, stderr=terminal, env=env)
    os.close(terminal)
    report = process.communicate(timeout=120)[0].decode()
    progress = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        progress += chunk
    os.close(controller)
    lines = progress.decode().splitlines()
    assert lines[0].startswith(f"checking {server.url} with key hk_live_")
    assert "[ok  ] infra/health probe" in "\n".join(lines) and any(line.startswith("[ok  ] auth/key as Bearer") for line in lines)
    checks = lines[1:]
    assert len(checks) >= 10 and all(re.match(r"^\[(ok  |FAIL|warn|skip)\] (infra|auth)/\S", line) for line in checks), checks
    assert server.admin_key not in progress.decode() and server.admin_key not in report
    assert "hokusai doctor:" in report and "[ok  ]" not in report, "progress stays on stderr"


def test_a_missing_artifact_bucket_is_named_with_its_region_and_s3_code(store_args, tmp_path, bucket):
    from conftest import Bucket

    server = Server(
        store_args, tmp_path, extra_args=["--artifacts-destination", "s3://doctor-no-such-bucket/mlflow"],
        env={**Bucket.server_env(), "AWS_REGION": "eu-west-1"}).start()  # fmt: skip
    try:
        code, report = doctor(server.url, server.printed_keys()[0])
        assert code == 1, "tracking works, artifacts do not: degraded"
        found = [d for d in diagnoses(report) if d["layer"] == "artifact store"]
        assert found, diagnoses(report)
        cause = found[0]["cause"]
        assert "'doctor-no-such-bucket'" in cause and "eu-west-1" in cause and "NoSuchBucket" in cause, cause
        assert "create the bucket" in found[0]["fix"]
    finally:
        server.stop()
