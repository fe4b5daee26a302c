#!/usr/bin/env python3
"""Artifact throughput and memory on S3: `hokusai serve` on local disk, `hokusai serve
--artifacts-destination s3://…` and `mlflow server --artifacts-destination s3://…`, side by side,
both on the same moto S3 server on loopback, for each size (10 MiB, 1 GiB and 5 GiB by default).

    .venv/bin/python bench/s3_artifacts.py [--binary .build/release/hokusai] [--sizes-mb 10,1024,5120]

Each artifact is uploaded with one streamed PUT and downloaded with one streamed GET through the
proxied artifact API (`mlflow-artifacts`), the way the MLflow client moves it; the bytes are
checked (SHA-256) and the object deleted after. Prints MiB/s and the server's peak resident
memory (all its processes, sampled every 20 ms) per size. moto is a Python server on the same two
cores, so the S3 rows measure moto as much as the servers: compare them with each other, not with
AWS. Asserts nothing.
"""

import argparse
import hashlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from artifact_memory import CHUNK, PeakSampler, payload
from servers import free_port, start_hokusai, tree_rss_kib, wait_healthy

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}


def start_moto():
    port = free_port()
    moto = str(Path(sys.executable).parent / "moto_server")
    process = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.1)
    raise SystemExit("moto did not start")


def start_mlflow_on_s3(folder, bucket, endpoint):
    port = free_port()
    env = {**os.environ, **CREDENTIALS, "MLFLOW_S3_ENDPOINT_URL": endpoint, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port),
         "--backend-store-uri", f"sqlite:///{folder}/mlflow.db", "--serve-artifacts",
         "--artifacts-destination", f"s3://{bucket}/mlflow", "--workers", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    if not wait_healthy(url, time.monotonic() + 180):
        process.kill()
        raise SystemExit("mlflow server did not start")
    return process, url, None, ""


def rest(url, key, prefix, path, body):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    reply = requests.post(f"{url}{prefix}/api/2.0/mlflow/{path}", json=body, headers=headers, timeout=30)
    reply.raise_for_status()
    return reply.json()


def measure(name, process, url, key, prefix, sizes):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    experiment = rest(url, key, prefix, "experiments/create", {"name": "bench-" + secrets.token_hex(3)})["experiment_id"]
    run = rest(url, key, prefix, "runs/create", {"experiment_id": experiment})["run"]["info"]["run_id"]
    idle = tree_rss_kib(process.pid) / 1024
    rows = []
    for size in sizes:
        target = f"{url}{prefix}/api/2.0/mlflow-artifacts/artifacts/{experiment}/{run}/artifacts/big-{size}.bin"
        sent = hashlib.sha256()
        with PeakSampler(process.pid, tree_rss_kib) as up:
            started = time.perf_counter()
            requests.put(target, data=payload(size, sent), headers=headers, timeout=7200).raise_for_status()
            upload = size / (time.perf_counter() - started)
        received = hashlib.sha256()
        with PeakSampler(process.pid, tree_rss_kib) as down:
            started = time.perf_counter()
            with requests.get(target, headers=headers, stream=True, timeout=7200) as reply:
                reply.raise_for_status()
                for chunk in reply.iter_content(CHUNK):
                    received.update(chunk)
            download = size / (time.perf_counter() - started)
        if received.digest() != sent.digest():
            raise SystemExit(f"{name}: the {size} MiB artifact came back different")
        requests.delete(target, headers=headers, timeout=600)
        rows.append((name, size, idle, upload, up.peak / 1024, download, down.peak / 1024))
        print(f"{name:28} {size:6} MiB  up {upload:7.1f} MiB/s peak {up.peak / 1024:7.1f} MiB   "
              f"down {download:7.1f} MiB/s peak {down.peak / 1024:7.1f} MiB   (idle {idle:.1f} MiB)", flush=True)  # fmt: skip
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(Path(__file__).resolve().parents[1] / ".build" / "release" / "hokusai"))
    parser.add_argument("--sizes-mb", default="10,1024,5120")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes_mb.split(",")]
    moto, endpoint = start_moto()
    bucket = "bench-" + secrets.token_hex(4)
    requests.put(f"{endpoint}/{bucket}", timeout=30).raise_for_status()
    os.environ.update({**CREDENTIALS, "AWS_ENDPOINT_URL_S3": endpoint})
    try:
        for name, start in (
            ("hokusai, local disk", lambda folder: start_hokusai(args.binary, folder)),
            ("hokusai, S3 (moto)",
             lambda folder: start_hokusai(args.binary, folder, "--artifacts-destination", f"s3://{bucket}/hokusai")),
            ("mlflow server, S3 (moto)", lambda folder: start_mlflow_on_s3(folder, bucket, endpoint)),
        ):  # fmt: skip
            with tempfile.TemporaryDirectory() as folder:
                started = start(folder)
                process, url, key, prefix = (
                    (started.process, started.url, started.key, "/api/mlflow") if hasattr(started, "process") else started)
                try:
                    measure(name, process, url, key, prefix, sizes)
                finally:
                    os.killpg(process.pid, 15) if name.startswith("mlflow") else process.terminate()
                    process.wait(timeout=60)
    finally:
        os.killpg(moto.pid, 15)
        moto.wait(timeout=30)


if __name__ == "__main__":
    main()
