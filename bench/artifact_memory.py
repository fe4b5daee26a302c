#!/usr/bin/env python3
"""Artifact streaming benchmark: uploads and downloads one large artifact (2 GiB by default) and
reports the server's memory while it does.

Usage:  .venv/bin/python bench/artifact_memory.py [--binary .build/release/hokusai] [--size-mb 2048] [--through-gateway]

With --through-gateway the artifact goes through `hokusai serve --role gateway --mlflow-upstream`
in front of a real `mlflow server` (the venv's), and the memory reported is the gateway's: proxy
mode streams too.

Prints throughput and the server's resident memory (VmRSS sampled every 20 ms, and the kernel's
high-water mark VmHWM) before, during and after. Flat memory means the peak stays near the idle
figure whatever the size. It checks the bytes come back identical (SHA-256); it asserts nothing
about speed.
"""

import argparse
import hashlib
import tempfile
import threading
import time

import requests

import socket

from common import ROOT, call, start_mlflow_server, start_server

CHUNK = 1 << 20


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class PeakSampler:
    """Samples a process's VmRSS (or what `measure(pid)` returns, in KiB) every 20 ms in a thread;
    `peak` is the largest seen."""

    def __init__(self, pid, measure=lambda pid: memory_kib(pid, "VmRSS")):
        self.pid, self.measure, self.peak, self.running = pid, measure, 0, True
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def sample(self):
        while self.running:
            self.peak = max(self.peak, self.measure(self.pid))
            time.sleep(0.02)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()


def payload(size_mb, digest):
    """`size_mb` MiB of varied bytes, generated as sent (the client holds one chunk at a time)."""
    block = bytearray(hashlib.sha256(b"seed").digest() * (CHUNK // 32))
    for index in range(size_mb):
        block[:8] = index.to_bytes(8, "little")
        chunk = bytes(block)
        digest.update(chunk)
        yield chunk


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "hokusai"))
    parser.add_argument("--size-mb", type=int, default=2048)
    parser.add_argument("--through-gateway", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir, tempfile.TemporaryDirectory() as gateway_dir:
        if args.through_gateway:
            upstream, upstream_url = start_mlflow_server(data_dir, free_port())
            gateway, url, key = start_server(args.binary, gateway_dir, "--role", "gateway", "--mlflow-upstream", upstream_url)
            process = gateway
        else:
            upstream, url, key = start_server(args.binary, data_dir)
            process, gateway = upstream, None
        try:
            experiment = call(url, key, "experiments/create", {"name": "bench-artifacts"})["experiment_id"]
            run = call(url, key, "runs/create", {"experiment_id": experiment})["run"]["info"]["run_id"]
            target = f"{url}/api/mlflow/api/2.0/mlflow-artifacts/artifacts/{experiment}/{run}/artifacts/big.bin"
            headers = {"Authorization": f"Bearer {key}"}
            idle = memory_kib(process.pid, "VmRSS")
            print(f"{'gateway' if gateway else 'server'} {args.binary}, artifact of {args.size_mb} MiB")
            print(f"{'idle RSS':40} {idle / 1024:10.1f} MiB")

            sent = hashlib.sha256()
            with PeakSampler(process.pid) as sampler:
                started = time.perf_counter()
                reply = requests.put(target, data=payload(args.size_mb, sent), headers=headers, timeout=3600)
                seconds = time.perf_counter() - started
            reply.raise_for_status()
            print(f"{'upload (chunked, streamed)':40} {args.size_mb / seconds:10.1f} MiB/s  peak RSS {sampler.peak / 1024:.1f} MiB")

            received = hashlib.sha256()
            with PeakSampler(process.pid) as sampler:
                started = time.perf_counter()
                with requests.get(target, headers=headers, stream=True, timeout=3600) as download:
                    download.raise_for_status()
                    for chunk in download.iter_content(CHUNK):
                        received.update(chunk)
                seconds = time.perf_counter() - started
            print(f"{'download (streamed)':40} {args.size_mb / seconds:10.1f} MiB/s  peak RSS {sampler.peak / 1024:.1f} MiB")
            print(f"{'high-water mark over the whole run':40} {memory_kib(process.pid, 'VmHWM') / 1024:10.1f} MiB")
            print(f"{'bytes identical':40} {received.digest() == sent.digest()}")
            if received.digest() != sent.digest():
                raise SystemExit("downloaded bytes differ from the uploaded ones")
        finally:
            for running in (gateway, upstream):
                if running:
                    running.terminate()
                    running.wait(timeout=30)


if __name__ == "__main__":
    main()
