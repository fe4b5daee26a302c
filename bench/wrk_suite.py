"""The workloads over a raw keep-alive HTTP connection, driven by `wrk` with one connection and one
thread: calls one after another, as a client would make them, with microsecond timing and almost
no client cost (a Python client's own floor is about 0.3 ms a call, more than some of our calls
take). Each request's body is made by a small Lua script, so keys, steps and paths vary per call.
Each result is {p50, p95, p99, ops_per_second, count, failures} (milliseconds)."""

import json
import os
import subprocess
import tempfile
import time

from http_suite import Api, new_run

DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nRESULT {"count":%d,"failures":%d,"p50":%.3f,"p95":%.3f,"p99":%.3f,"mean":%.3f,"seconds":%.6f}\\n',
    summary.requests, e.status + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, summary.duration / 1e6))
end
"""


def lua_string(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def script(method, path, headers, body_lua=None, path_lua=None):
    """A wrk script whose request() builds each call; `body_lua` and `path_lua` are Lua expressions
    that may use `n`, the call's number."""
    header_table = "{" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()) + "}"
    return f"""
local n = 0
local headers = {header_table}
request = function()
  n = n + 1
  local body = {body_lua or 'nil'}
  return wrk.format({lua_string(method)}, {path_lua or lua_string(path)}, headers, body)
end
{DONE}"""


def run_wrk(server, lua, seconds):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(lua)
    try:
        output = subprocess.run(["wrk", "-t1", "-c1", f"-d{seconds}s", "--timeout", "60s", "-s", handle.name, server.url],
                                capture_output=True, text=True, timeout=seconds + 120).stdout
    finally:
        os.unlink(handle.name)
    line = next((line for line in output.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result against {server.name}: {output[-500:]}")
    result = json.loads(line[len("RESULT "):])
    result["ops_per_second"] = result["count"] / result["seconds"] if result["seconds"] else 0.0
    return result


def metrics_body(run_id, keys, steps):
    """Lua that builds a log-batch body of keys × steps points, steps numbered from n × steps."""
    return f"""(function()
    local parts = {{}}
    for s = 0, {steps - 1} do
      for k = 0, {keys - 1} do
        parts[#parts + 1] = string.format('{{"key":"m%d","value":%d.25,"timestamp":1700000000000,"step":%d}}', k, k, n * {steps} + s)
      end
    end
    return '{{"run_id":"{run_id}","metrics":[' .. table.concat(parts, ',') .. ']}}'
  end)()"""


def operations(server, search_experiment):
    """Every raw operation against one server, each as a function making its wrk script (built
    after a fresh key, since the headers carry the key in use), in the order they run, and the
    run whose artifacts the uploads write. The download comes after them (`download_script`)."""
    api = Api(server)
    experiment = api.post("experiments/create", {"name": f"raw-{os.urandom(4).hex()}"})["experiment_id"]
    run, _ = new_run(api, experiment)
    batch_run, _ = new_run(api, experiment)
    history_run, _ = new_run(api, experiment)
    api.post("runs/log-batch", {"run_id": batch_run, "params": [{"key": f"param{k}", "value": str(k)} for k in range(10)],
                                "tags": [{"key": f"tag{k}", "value": "x"} for k in range(5)],
                                "metrics": [{"key": f"m{k}", "value": 1.0, "timestamp": 1, "step": 0} for k in range(10)]})
    api.post("runs/log-batch", {"run_id": history_run, "metrics": [
        {"key": "h", "value": float(s), "timestamp": 1_700_000_000_000 + s, "step": s} for s in range(1000)]})
    model = f"raw-model-{os.urandom(4).hex()}"
    api.post("registered-models/create", {"name": model})
    _, artifact_uri = new_run(api, experiment)
    artifact_root = api.artifacts + artifact_uri.split(":", 1)[1].lstrip("/")
    blob_lua = "string.rep('hokusai!', 10 * 1024 * 1024 / 8)"
    base = api.base

    search = {"experiment_ids": [search_experiment], "filter": "metrics.accuracy > 0.5 and params.model = 'cnn'",
              "order_by": ["metrics.loss ASC"], "max_results": 100}
    def json_headers():
        return {**server.headers, "Content-Type": "application/json"}

    return artifact_uri, {
        "create_run": lambda: script("POST", base + "runs/create", json_headers(), lua_string(json.dumps({"experiment_id": experiment}))),
        "log_metric": lambda: script("POST", base + "runs/log-metric", json_headers(),
                             f"string.format('{{\"run_id\":\"{run}\",\"key\":\"loss\",\"value\":0.5,\"timestamp\":1700000000000,\"step\":%d}}', n)"),
        "log_param": lambda: script("POST", base + "runs/log-parameter", json_headers(),
                            f"string.format('{{\"run_id\":\"{run}\",\"key\":\"p%d\",\"value\":\"v\"}}', n)"),
        "log_batch_1000": lambda: script("POST", base + "runs/log-batch", json_headers(), metrics_body(batch_run, 10, 100)),
        "get_run": lambda: script("GET", f"{base}runs/get?run_id={batch_run}", server.headers),
        "get_metric_history_1000": lambda: script("GET", f"{base}metrics/get-history?run_id={history_run}&metric_key=h", server.headers),
        "search_filtered_ordered_100": lambda: script("POST", base + "runs/search", json_headers(), lua_string(json.dumps(search))),
        "search_page_1000": lambda: script("POST", base + "runs/search", json_headers(),
                                   lua_string(json.dumps({"experiment_ids": [search_experiment], "max_results": 1000}))),
        "register_model_version": lambda: script("POST", base + "model-versions/create", json_headers(),
                                         lua_string(json.dumps({"name": model, "source": f"runs:/{run}/model", "run_id": run}))),
        "artifact_upload_10mb": lambda: script("PUT", "", {**server.headers, "Content-Type": "application/octet-stream"}, blob_lua,
                                       path_lua=f"{lua_string(artifact_root + '/blob')} .. n .. '.bin'"),
    }


def download_script(server, artifact_uri):
    """The 10 MB download, after the uploads: wrk numbers calls from wherever its warm-up left off,
    so find what the uploads wrote and check one came back intact."""
    api = Api(server)
    artifact_root = api.artifacts + artifact_uri.split(":", 1)[1].lstrip("/")
    status, listing = api.request("GET", f"{api.base}artifacts/list?run_id={artifact_uri.split('/')[-2]}")
    names = sorted(item["path"] for item in json.loads(listing).get("files", []))
    if status != 200 or not names:
        raise RuntimeError(f"{server.name}: no uploaded artifact listed ({status})")
    blob = f"{artifact_root}/{names[0]}"
    status, data = api.request("GET", blob)
    if status != 200 or data != b"hokusai!" * (10 * 1024 * 1024 // 8):
        raise RuntimeError(f"{server.name}: the uploaded artifact did not come back intact ({status})")
    return script("GET", blob, server.headers)


def side_by_side(servers, seconds, search_experiments):
    """Each raw operation against every server in turn before the next operation, so a change in
    the machine's speed over the run (seen here: the same client 40% slower an hour later) falls
    on all servers alike. Returns {server name: {operation: result}}."""
    uploads_to, scripts = {}, {}
    for server in servers:
        uploads_to[server.name], scripts[server.name] = operations(server, search_experiments[server.name])
    results = {server.name: {} for server in servers}
    for operation in scripts[servers[0].name]:
        for server in servers:
            server.fresh_key()
            results[server.name][operation] = run_wrk(server, scripts[server.name][operation](), seconds)
    for server in servers:
        server.fresh_key()
        download = download_script(server, uploads_to[server.name])
        results[server.name]["artifact_download_10mb"] = run_wrk(server, download, seconds)
    return results
