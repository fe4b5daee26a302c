"""What sharing hourly limits across replicas costs one replica on PostgreSQL.

Starts `hokusai serve` on a fresh schema of DATABASE_URL twice, with `--shared-rate-limits true`
and `false`, and each time runs wrk (2 threads, 32 connections, SECONDS s) on an authenticated
one-row read (experiments/get of the Default experiment) with a key allowed 100,000 requests an
hour. Prints requests/s, latency and how many store writes the shared counters cost. Asserts
nothing.

    python bench/shared_rate_limit_cost.py .build/release/hokusai postgres://postgres@127.0.0.1:54329/postgres [--seconds 5]
"""

import argparse
import re
import secrets
import subprocess
import tempfile
import time

import requests

from key_change_delay import KEY, start


def wrk(url, key, seconds):
    output = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {key}", url],
        capture_output=True, text=True, check=True).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, p50, p99, int(non_2xx.group(1)) if non_2xx else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("database_url")
    parser.add_argument("--seconds", type=int, default=5)
    arguments = parser.parse_args()
    separator = "&" if "?" in arguments.database_url else "?"
    for shared in ("true", "false"):
        url = f"{arguments.database_url}{separator}schema=bench_{secrets.token_hex(4)}"
        with tempfile.TemporaryDirectory() as folder:
            process, base = start(arguments.binary, folder, url, "--shared-rate-limits", shared)
            try:
                admin = next(match.group(0) for line in process.stdout if (match := KEY.search(line)))
                made = requests.post(base + "/api/v1/keys", json={"name": "load", "user_id": "bench", "rate_limit_per_hour": 100_000},
                                     headers={"Authorization": f"Bearer {admin}"}, timeout=10).json()  # fmt: skip
                target = base + "/api/mlflow/api/2.0/mlflow/experiments/get?experiment_id=0"
                wrk(target, made["api_key"], 1)  # warm up
                time.sleep(0.5)
                rate, p50, p99, refused = wrk(target, made["api_key"], arguments.seconds)
                print(f"--shared-rate-limits {shared:5}: {rate:8.0f} requests/s, p50 {p50}, p99 {p99}, non-2xx {refused}")
            finally:
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
