"""Several `hokusai serve` replicas on one PostgreSQL schema (and one moto bucket): any request can go
to any replica, a replica killed under load loses no acknowledged write, each registration event is
delivered once, and what one replica changes in keys the others see at once. The key tests cache
found keys for ten minutes (`--key-cache-ms`), so only the LISTEN/NOTIFY channel can explain a
revocation that takes effect within seconds. SQLite refuses a second server."""

import json
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler

import pytest
import requests

import test_mlflow_registry as registry
import test_registration_events as events
from balancer import Balancer
from conftest import Bucket, Server, bearer, create_key, run_cli, serve_on_loopback, tracking_client

TEN_MINUTES_MS = "600000"


@pytest.fixture
def replicas(store_args, tmp_path):
    if "--database-url" not in store_args:
        pytest.skip("replicas share a PostgreSQL store; SQLite is one process")
    first = Server(store_args, tmp_path / "a", extra_args=["--key-cache-ms", TEN_MINUTES_MS])
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first.start()
    first.admin_key = first.printed_keys()[0]
    second = Server(store_args, tmp_path / "b", extra_args=["--key-cache-ms", TEN_MINUTES_MS]).start()
    second.admin_key = first.admin_key
    try:
        for replica in (first, second):
            wait_until(lambda: key_changes_check(replica)["passed"], f"{replica.url} listening for key changes")
        yield first, second
    finally:
        first.stop()
        second.stop()


def key_changes_check(replica):
    checks = requests.get(replica.url + "/ready", timeout=10).json()["checks"]
    return next(check for check in checks if check["name"] == "key_changes")


def wait_until(condition, what, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")


def answer(replica, key):
    return requests.get(replica.url + "/api/v1/keys", headers=bearer(key), timeout=10)


def test_a_key_revoked_through_one_replica_is_refused_by_the_other_at_once(replicas):
    first, second = replicas
    key, key_id = create_key(first, user_id="alice")
    assert answer(second, key).status_code == 200  # now in the second replica's cache
    revoked = requests.delete(f"{first.url}/api/v1/keys/{key_id}", headers=bearer(first.admin_key), timeout=10)
    assert revoked.status_code == 200, revoked.text
    wait_until(lambda: answer(second, key).status_code == 401, "the second replica refuses the revoked key")
    assert answer(second, key).json()["error"] == "REVOKED"


def test_a_rotation_through_one_replica_ends_the_old_key_on_the_other(replicas):
    first, second = replicas
    key, key_id = create_key(first, user_id="alice")
    assert answer(second, key).status_code == 200
    rotated = requests.post(f"{first.url}/api/v1/keys/{key_id}/rotate", json={"grace_seconds": 0},
                            headers=bearer(first.admin_key), timeout=10)  # fmt: skip
    assert rotated.status_code in (200, 201), rotated.text
    wait_until(lambda: answer(second, key).status_code == 401, "the old key is refused after rotation")
    assert answer(second, rotated.json()["api_key"]).status_code == 200


def test_a_key_revoked_on_the_store_by_the_cli_is_refused_by_every_replica(replicas):
    first, second = replicas
    key, key_id = create_key(first, user_id="alice")
    assert answer(first, key).status_code == 200 and answer(second, key).status_code == 200
    run_cli("keys", "revoke", key_id, *first.store_args)
    for replica in (first, second):
        wait_until(lambda: answer(replica, key).status_code == 401, f"{replica.url} refuses the key")


def test_a_second_server_on_one_sqlite_file_is_refused_but_the_cli_works_beside_it(tmp_path):
    data = ["--data-dir", str(tmp_path / "data")]
    first = Server(data, tmp_path).start()
    try:
        second = run_cli("serve", "--port", "0", *data, check=False)
        assert second.returncode != 0
        assert f"already served by another hokusai serve (pid {first.process.pid})" in second.stderr, second.stderr
        assert "PostgreSQL" in second.stderr
        assert "first admin key" in run_cli("keys", "list", *data).stdout
    finally:
        first.stop()
    again = Server(data, tmp_path).start()  # the lock went with the first process
    again.stop()


def start_replicas(store_args, tmp_path, bucket, extra_args=((), (), ())):
    """Replicas (one per entry of `extra_args`) on one PostgreSQL schema and one moto bucket, behind
    a round-robin balancer; each has its own data folder, which holds nothing they need."""
    target = ["--artifacts-destination", f"s3://{bucket.name}/{bucket.prefix}"]
    servers = []
    for number, extra in enumerate(extra_args):
        folder = tmp_path / f"replica-{number}"
        folder.mkdir()
        args = [arg if arg != str(tmp_path / "data") else str(folder / "data") for arg in store_args]
        servers.append(Server(args, folder, extra_args=[*target, *extra], env=Bucket.server_env()))
    try:
        for server in servers:
            server.start()
    except BaseException:
        for server in servers:
            server.stop()
        raise
    servers[0].admin_key = servers[0].printed_keys()[0]
    for server in servers[1:]:
        server.admin_key = servers[0].admin_key
    balancer = Balancer([server.url for server in servers]).start()
    balancer.admin_key = servers[0].admin_key
    return servers, balancer


@pytest.fixture
def replica_factory(store_args, tmp_path, bucket):
    if "--database-url" not in store_args:
        pytest.skip("replicas share a PostgreSQL store; SQLite is one process")
    started = []

    def make(extra_args=((), (), ())):
        servers, balancer = start_replicas(store_args, tmp_path, bucket, extra_args)
        started.append((servers, balancer))
        return servers, balancer

    yield make
    for servers, balancer in started:
        balancer.stop()
        for server in servers:
            server.stop()


@pytest.fixture
def three(replica_factory):
    return replica_factory()


def test_the_mlflow_workflow_spreads_over_three_replicas(three, tmp_path, monkeypatch):
    """Logged through one replica, registered through another, loaded through a third."""
    servers, balancer = three
    tracking = next(tracking_client(balancer, monkeypatch))
    registry.test_log_register_promote_and_load_the_model(tracking, tmp_path)
    assert all(count > 10 for count in balancer.answered.values()), balancer.answered


def test_a_replica_killed_under_write_load_loses_no_acknowledged_write(three, bucket):
    servers, balancer = three
    key, _ = create_key(servers[0], user_id="writer")
    headers = bearer(key)
    api = balancer.url + "/api/mlflow/api/2.0/mlflow"
    experiment_id = requests.post(api + "/experiments/create", json={"name": "kill-9"}, headers=headers, timeout=10).json()["experiment_id"]
    run_id = requests.post(api + "/runs/create", json={"experiment_id": experiment_id}, headers=headers,
                           timeout=10).json()["run"]["info"]["run_id"]  # fmt: skip
    artifacts = f"{balancer.url}/api/mlflow/api/2.0/mlflow-artifacts/artifacts/{experiment_id}/{run_id}/artifacts"
    metrics, files, refused = set(), set(), []

    def write(i):
        if i % 5 == 0:
            reply = requests.put(f"{artifacts}/f{i}.txt", data=f"file {i}".encode(), headers=headers, timeout=30)
            if reply.status_code == 200:
                files.add(i)
            else:
                refused.append(reply.status_code)
        else:
            reply = requests.post(api + "/runs/log-metric", headers=headers, timeout=30,
                                  json={"run_id": run_id, "key": f"m{i}", "value": i, "timestamp": 1, "step": 0})  # fmt: skip
            if reply.status_code == 200:
                metrics.add(i)
            else:
                refused.append(reply.status_code)

    # Four writers at once, so requests are in flight on the replica when it dies.
    with ThreadPoolExecutor(max_workers=4) as pool:
        pending = [pool.submit(write, i) for i in range(400)]
        deadline = time.monotonic() + 60
        while len(metrics) + len(files) < 150 and time.monotonic() < deadline:
            time.sleep(0.01)
        servers[1].stop(sig=signal.SIGKILL)
        killed_at = len(metrics) + len(files)
        for future in pending:
            future.result(timeout=120)
    print(f"kill -9 after {killed_at} writes: {len(metrics)} metrics and {len(files)} files acknowledged, refused {refused}")
    assert set(refused) <= {502}, refused  # only requests cut off by the kill, never an error
    assert len(metrics) + len(files) >= 390, (len(metrics), len(files), refused)
    assert any(i > 300 for i in metrics) and any(i > 300 for i in files), "the survivors keep serving"

    for survivor in (servers[0], servers[2]):
        run = requests.get(f"{survivor.url}/api/mlflow/api/2.0/mlflow/runs/get", params={"run_id": run_id},
                           headers=headers, timeout=10).json()["run"]  # fmt: skip
        logged = {int(metric["key"][1:]) for metric in run["data"]["metrics"]}
        assert metrics <= logged, sorted(metrics - logged)
    stored = bucket.objects()
    expected = {f"{bucket.prefix}/{experiment_id}/{run_id}/artifacts/f{i}.txt" for i in files}
    assert expected <= set(stored), sorted(expected - set(stored))
    for i in sorted(files)[:: max(1, len(files) // 10)]:
        back = requests.get(f"{servers[2].url}/api/mlflow/api/2.0/mlflow-artifacts/artifacts/{experiment_id}/{run_id}/artifacts/f{i}.txt",
                            headers=headers, timeout=10)  # fmt: skip
        assert back.status_code == 200 and back.content == f"file {i}".encode()


def webhook_args(receiver_url):
    return ["--webhook-url", receiver_url, "--webhook-allow-loopback", "true", "--webhook-timeout", "2"]


def test_three_replicas_deliver_each_registration_event_once(replica_factory):
    receiver = events.Receiver().start()
    try:
        servers, balancer = replica_factory([webhook_args(receiver.url)] * 3)
        key, _ = create_key(servers[0], user_id="scientist")
        ids = set()
        for _ in range(12):
            reply = events.register(balancer, key, events.logged_model(balancer, key))
            assert reply.status_code == 201, reply.text
            ids.add(reply.json()["event_id"])
        assert len(receiver.wait_for(12, timeout=60)) >= 12
        time.sleep(2)  # four delivery loops' polls: any second delivery would arrive now
        keys = [delivery["headers"]["X-Hokusai-Idempotency-Key"] for delivery in receiver.received]
        assert len(keys) == len(set(keys)) == 12, "each event exactly once, by one of the three"
        listed = requests.get(balancer.url + "/api/v1/events", params={"state": "delivered"},
                              headers=bearer(balancer.admin_key), timeout=10).json()["events"]  # fmt: skip
        assert {event["event_id"] for event in listed} == ids
    finally:
        receiver.stop()


class StallingReceiver(events.Receiver):
    """Takes the first delivery's body and never answers it, as a receiver would while the
    replica sending it dies; answers later ones at once."""

    def start(self):
        receiver = self
        self.arrived = threading.Event()
        self.release = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not receiver.arrived.is_set():
                    receiver.arrived.set()
                    receiver.release.wait(60)
                    return
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.httpd = serve_on_loopback(Handler, self.port)
        return self

    def stop(self):
        self.release.set()
        super().stop()


def test_an_event_whose_replica_dies_mid_delivery_is_delivered_by_another(replica_factory):
    receiver = StallingReceiver().start()
    try:
        # Only the first replica delivers at first, so it is the one holding the delivery.
        servers, balancer = replica_factory([webhook_args(receiver.url), (), ()])
        key, _ = create_key(servers[0], user_id="scientist")
        run_id = events.logged_model(servers[0], key)
        reply = events.register(servers[0], key, run_id)
        assert reply.status_code == 201, reply.text
        event_id = reply.json()["event_id"]
        assert receiver.arrived.wait(30), "the first replica started delivering"
        servers[0].stop(sig=signal.SIGKILL)
        second = servers[1]
        second.stop()
        second.extra_args += webhook_args(receiver.url)
        second.start()
        # Its lease (attempt timeout + 15 s) runs out, then the second replica claims it.
        [delivery] = receiver.wait_for(1, timeout=60)
        assert json.loads(delivery["body"])["model"]["run_id"] == run_id
        state = requests.get(f"{second.url}/api/v1/events/{event_id}", headers=bearer(second.admin_key), timeout=10).json()
        assert state["state"] == "delivered", state
    finally:
        receiver.stop()


def test_a_keys_hourly_limit_holds_across_three_replicas(three):
    servers, balancer = three
    key, _ = create_key(servers[0], user_id="limited", rate_limit_per_hour=30)
    answers = [requests.get(balancer.url + "/api/v1/keys", headers=bearer(key), timeout=10) for _ in range(60)]
    statuses = [reply.status_code for reply in answers]
    assert statuses.count(200) == 30 and statuses.count(429) == 30, statuses
    assert all(answered > 0 for answered in balancer.answered.values()), balancer.answered
    refused = next(reply for reply in answers if reply.status_code == 429)
    assert refused.json()["error"] == "RATE_LIMITED" and "used its 30 requests this hour" in refused.json()["message"]
