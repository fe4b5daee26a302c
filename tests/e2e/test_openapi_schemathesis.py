"""The whole HTTP API against its own OpenAPI document, with schemathesis: generated and mutated
requests to every operation, bounded (a fixed number of examples per operation, a fixed seed),
asserting no 5xx, no status, content type, header or body the document does not promise, and a
server that is still up and still answering its keys at the end."""

import subprocess
import sys
from pathlib import Path

import requests

from conftest import bearer, create_key

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
SEED = "20261206"
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)
# A key may revoke or rotate itself, which schemathesis does once it has read the key's id from a
# listing; these two run last, with a key of their own, so the rest is not tested with a dead key.
# The document's own operation goes with them: schemathesis leaves it out unless it is named.
LAST = ["delete_api_v1_keys_id", "post_api_v1_keys_id_rotate", "get_openapi_json"]


def run_schemathesis(server, key, workdir, operation_filter):
    command = [
        SCHEMATHESIS, "run", server.url + "/openapi.json",
        "--header", f"Authorization: Bearer {key}",
        "--checks", CHECKS,
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", "10",
        "--seed", SEED,
        "--workers", "1",
        "--request-timeout", "10",
        "--no-shrink",
        *operation_filter,
    ]  # fmt: skip
    # Hypothesis keeps its example database in the working directory: a temporary one.
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, failure_report(output)
    assert " passed" in output and "failed" not in output.split("SUMMARY")[-1], failure_report(output)
    return output


def failure_report(output):
    """The failures and errors themselves, which come first: the summary's lists of warnings
    after them can fill any tail the test output keeps."""
    starts = [found for found in (output.find("= ERRORS ="), output.find("= FAILURES =")) if found >= 0]
    start = min(starts) if starts else max(0, len(output) - 20000)
    return output[start : start + 20000]


def fresh_admin_key(server):
    key, _ = create_key(server, user_id="schemathesis", scopes=["admin"], rate_limit_per_hour=100000)
    return key


def test_every_operation_keeps_to_the_document_under_generated_input(server, tmp_path):
    document = requests.get(server.url + "/openapi.json", timeout=10)
    assert document.status_code == 200, "the document is served without a key"
    operations = sum(len(methods) for methods in document.json()["paths"].values())
    assert operations > 90

    exclusions = [flag for operation in LAST for flag in ("--exclude-operation-id", operation)]
    output = run_schemathesis(server, fresh_admin_key(server), tmp_path, exclusions)
    assert f"Tested: {operations - len(LAST)}" in output, output[-3000:]

    inclusions = [flag for operation in LAST for flag in ("--include-operation-id", operation)]
    output = run_schemathesis(server, fresh_admin_key(server), tmp_path, inclusions)
    assert f"Tested: {len(LAST)}" in output, output[-3000:]

    assert server.process.poll() is None, "the server died under generated input: " + server.stderr[-3000:]
    assert requests.get(server.url + "/ready", timeout=10).status_code == 200
    keys = requests.get(server.url + "/api/v1/keys", headers=bearer(server.admin_key), timeout=10)
    assert keys.status_code == 200, keys.text
