"""How long a key revoked through one replica keeps working on another, on PostgreSQL.

Starts two `hokusai serve` replicas on a fresh schema of DATABASE_URL, then ROUNDS times: creates a
key on A, uses it on B (so B caches it), revokes it on A and polls B until it refuses the key. The
delay runs from A's answer to the revocation to B's first 401. Run once with the default key cache
(2 s) and LISTEN/NOTIFY, and once with `--key-cache-ms` large, to see that the channel, not the
cache lifetime, sets it. Prints the numbers; asserts nothing.

    python bench/key_change_delay.py .build/release/hokusai postgres://postgres@127.0.0.1:54329/postgres [--rounds 50] [serve flags…]
"""

import argparse
import re
import secrets
import statistics
import subprocess
import tempfile
import time

import requests

from servers import free_port, wait_healthy

KEY = re.compile(r"hk_(?:live|test|dev)_[0-9A-Za-z]{32}")


def start(binary, folder, database_url, *extra):
    port = free_port()
    process = subprocess.Popen(
        [binary, "serve", "--port", str(port), "--data-dir", folder, "--database-url", database_url,
         "--log-level", "warning", "--failed-auth-limit", "1000000", *extra],  # each round ends in a 401
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    if not wait_healthy(url, time.monotonic() + 60):
        process.kill()
        raise SystemExit("hokusai did not start")
    return process, url


def listening(replica):
    checks = requests.get(replica + "/ready", timeout=10).json()["checks"]
    return any(check["name"] == "key_changes" and check["passed"] for check in checks)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("database_url")
    parser.add_argument("--rounds", type=int, default=50)
    arguments, serve_flags = parser.parse_known_args()  # the rest goes to both replicas' serve
    flags = [flag for flag in serve_flags if flag != "--"]
    separator = "&" if "?" in arguments.database_url else "?"
    url = f"{arguments.database_url}{separator}schema=bench_{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory() as folder:
        first, a = start(arguments.binary, folder + "/a", url, *flags)
        admin = next(match.group(0) for line in first.stdout if (match := KEY.search(line)))
        second, b = start(arguments.binary, folder + "/b", url, *flags)
        try:
            for replica in (a, b):  # both hear key changes before the first round
                deadline = time.monotonic() + 30
                while not listening(replica):
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{replica} is not listening for key changes")
                    time.sleep(0.05)
            session = requests.Session()
            delays = []
            for _ in range(arguments.rounds):
                made = session.post(a + "/api/v1/keys", json={"name": "delay", "user_id": "bench", "rate_limit_per_hour": 100_000},
                                    headers={"Authorization": f"Bearer {admin}"}, timeout=10).json()  # fmt: skip
                key = {"Authorization": f"Bearer {made['api_key']}"}
                assert session.get(b + "/api/v1/keys", headers=key, timeout=10).status_code == 200
                session.delete(f"{a}/api/v1/keys/{made['key_id']}", headers={"Authorization": f"Bearer {admin}"}, timeout=10)
                revoked_at = time.monotonic()
                while (status := (reply := session.get(b + "/api/v1/keys", headers=key, timeout=10)).status_code) != 401:
                    if time.monotonic() - revoked_at > 30 or status != 200:
                        raise SystemExit(f"replica B still answers {status} after {time.monotonic() - revoked_at:.1f} s: {reply.text}")
                delays.append((time.monotonic() - revoked_at) * 1000)
            delays.sort()
            print(f"key revoked on A, refused on B, {len(delays)} rounds, flags {flags or 'none'}:")
            print(f"  median {statistics.median(delays):.1f} ms, p90 {delays[int(len(delays) * 0.9) - 1]:.1f} ms, "
                  f"max {delays[-1]:.1f} ms")  # fmt: skip
        finally:
            for process in (first, second):
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
