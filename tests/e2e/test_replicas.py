"""Several `hokusai serve` replicas on one PostgreSQL schema: what one replica changes, the others
see at once. Every replica here caches found keys for ten minutes (`--key-cache-ms`), so only the
LISTEN/NOTIFY channel can explain a revocation that takes effect within seconds."""

import time

import pytest
import requests

from conftest import Server, bearer, create_key, run_cli

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
