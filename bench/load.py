"""Concurrent and large workloads: 16 writers for a fixed time (then every row counted), an
authenticated get_run under wrk, and a 1 GB artifact up and down while memory is sampled."""

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

from http_suite import Api, new_run
from servers import PeakMemory


def concurrent_log_batch(server, clients, seconds, metrics_per_batch=100):
    """`clients` connections, each logging batches to its own run as fast as it can for `seconds`.
    Afterwards every metric row is read back: lost = acknowledged - found."""
    api = Api(server)
    experiment = api.post("experiments/create", {"name": f"load-{os.urandom(4).hex()}"})["experiment_id"]
    runs = [new_run(api, experiment)[0] for _ in range(clients)]
    keys = 10
    steps = metrics_per_batch // keys
    acknowledged, errors, latencies = [0] * clients, [0] * clients, [[] for _ in range(clients)]
    first_error = []
    deadline = time.monotonic() + seconds

    def writer(index):
        client = Api(server)
        batch_number = 0
        while time.monotonic() < deadline:
            now = int(time.time() * 1000)
            metrics = [{"key": f"c{k}", "value": float(batch_number), "timestamp": now, "step": batch_number * steps + s}
                       for s in range(steps) for k in range(keys)]
            started = time.perf_counter()
            try:
                client.post("runs/log-batch", {"run_id": runs[index], "metrics": metrics})
                acknowledged[index] += 1
            except Exception as error:  # a failed write is a finding, counted and reported
                errors[index] += 1
                first_error.append(str(error)[:200])
                client.connection.close()
            latencies[index].append((time.perf_counter() - started) * 1000)
            batch_number += 1

    started = time.monotonic()
    with PeakMemory(server) as memory:
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    elapsed = time.monotonic() - started
    found = 0
    for run in runs:
        for k in range(keys):
            found += len(history(api, run, f"c{k}"))
    expected = sum(acknowledged) * metrics_per_batch
    return {
        "clients": clients, "seconds": round(elapsed, 1), "batches": sum(acknowledged),
        "batches_per_second": sum(acknowledged) / elapsed, "metrics_per_second": expected / elapsed,
        "errors": sum(errors), "first_error": first_error[0] if first_error else None,
        "rows_expected": expected, "rows_found": found, "lost": expected - found,
        "latencies": [sample for samples in latencies for sample in samples], "peak_rss_mib": memory.peak,
    }


def history(api, run, key):
    points, token = [], None
    while True:
        query = f"metrics/get-history?run_id={run}&metric_key={key}&max_results=25000" + (f"&page_token={token}" if token else "")
        reply = api.get(query)
        points += reply.get("metrics", [])
        token = reply.get("next_page_token")
        if not token:
            return points


def lua_quote(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


WRK_LINE = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$")


def wrk_get_run(server, seconds, connections=32, threads=2, keys=4):
    """Authenticated get_run at full speed from `wrk` (a C load generator on the same machine).
    A key may make at most 100,000 requests an hour and this makes more, so the calls go round
    `keys` keys of the same user (any answer but 200 is counted and fails the target)."""
    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed (bench/run installs it from Debian's packages)"}
    api = Api(server)
    experiment = api.post("experiments/create", {"name": f"wrk-{os.urandom(4).hex()}"})["experiment_id"]
    run = new_run(api, experiment)[0]
    api.post("runs/log-batch", {"run_id": run, "metrics": [{"key": f"m{k}", "value": 1.0, "timestamp": 1, "step": 0} for k in range(5)],
                                "params": [{"key": f"p{k}", "value": "v"} for k in range(5)]})
    url = f"{server.url}{api.base}runs/get?run_id={run}"
    headers = []
    for _ in range(keys if server.key else 1):
        server.fresh_key()
        headers.append(server.headers)
    script = "local headers = {" + ", ".join(
        "{" + ", ".join(f"[{lua_quote(k)}] = {lua_quote(v)}" for k, v in h.items()) + "}" for h in headers) + "}\n"
    script += "local n = 0\nrequest = function()\n  n = n + 1\n  return wrk.format('GET', nil, headers[n % #headers + 1])\nend\n"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", handle.name, url]
    try:
        with PeakMemory(server) as memory:
            output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(handle.name)
    percentiles = {}
    for line in output.splitlines():
        match = WRK_LINE.match(line)
        if match:
            scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(3)]
            percentiles[match.group(1)] = float(match.group(2)) * scale
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    failures = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "connections": connections, "seconds": seconds, "requests_per_second": float(rate.group(1)) if rate else 0.0,
        "p50_ms": percentiles.get("50"), "p99_ms": percentiles.get("99"),
        "non_2xx": int(failures.group(1)) if failures else 0, "socket_errors": errors.group(1) if errors else None,
        "peak_rss_mib": memory.peak,
    }


def big_file(folder, size_mb):
    """`folder`/big.bin of `size_mb` MiB (made once, reused): random bytes, each MiB numbered so a
    shifted or repeated chunk would not compare equal."""
    source = os.path.join(folder, "big.bin")
    if not os.path.exists(source) or os.path.getsize(source) != size_mb << 20:
        with open(source, "wb") as out:
            chunk = os.urandom(1 << 20)
            for index in range(size_mb):
                out.write(index.to_bytes(8, "little") + chunk[8:])
    return source


def big_artifact(server, size_mb, folder):
    """A `size_mb` MiB file uploaded from disk and downloaded back in 1 MiB chunks, memory sampled."""
    api = Api(server)
    experiment = api.post("experiments/create", {"name": f"big-{os.urandom(4).hex()}"})["experiment_id"]
    _, uri = new_run(api, experiment)
    path = f"{api.artifacts}{uri.split(':', 1)[1].lstrip('/')}/big.bin"
    source = big_file(folder, size_mb)
    connection = api.connection
    with PeakMemory(server) as upload_memory:
        started = time.perf_counter()
        connection.putrequest("PUT", path)
        for name, value in {**server.headers, "Content-Type": "application/octet-stream",
                            "Content-Length": str(size_mb << 20)}.items():
            connection.putheader(name, value)
        connection.endheaders()
        with open(source, "rb") as data:
            while chunk := data.read(1 << 20):
                connection.send(chunk)
        reply = connection.getresponse()
        reply.read()
        upload_seconds = time.perf_counter() - started
    if reply.status != 200:
        raise RuntimeError(f"{server.name}: upload answered {reply.status}")
    with PeakMemory(server) as download_memory:
        started = time.perf_counter()
        connection.request("GET", path, headers=server.headers)
        reply = connection.getresponse()
        received = 0
        while chunk := reply.read(1 << 20):
            received += len(chunk)
        download_seconds = time.perf_counter() - started
    if received != size_mb << 20:
        raise RuntimeError(f"{server.name}: downloaded {received} bytes of {size_mb << 20}")
    return {
        "size_mb": size_mb, "upload_mb_s": size_mb / upload_seconds, "download_mb_s": size_mb / download_seconds,
        "upload_seconds": upload_seconds, "download_seconds": download_seconds,
        "upload_peak_rss_mib": upload_memory.peak, "download_peak_rss_mib": download_memory.peak,
    }
