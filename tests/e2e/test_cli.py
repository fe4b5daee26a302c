"""The `hokusai` command line: keys on the store directly and through a server, migrations."""

import json
import os

import requests

from conftest import bearer, run_cli


def test_offline_key_creation_works_beside_a_running_server(server):
    created = run_cli("keys", "create", "--admin", "--name", "ops", *server.store_args, "--json")
    key = json.loads(created.stdout)["api_key"]
    assert requests.get(server.url + "/api/v1/keys", headers=bearer(key), timeout=10).status_code == 200
    table = run_cli("keys", "list", *server.store_args)
    assert "ops" in table.stdout and key not in table.stdout


def test_remote_key_management_through_the_server(server):
    env = {"HOKUSAI_API_KEY": server.admin_key}
    created = run_cli("keys", "create", "--url", server.url, "--user-id", "bob", "--scope", "read", "--json", env=env)
    body = json.loads(created.stdout)
    key, key_id = body["api_key"], body["key_id"]
    assert body["key_info"]["scopes"] == ["read"]
    listed = run_cli("keys", "list", "--url", server.url, "--user-id", "bob", env=env)
    assert key_id in listed.stdout and "bob" in listed.stdout
    shown = run_cli("keys", "show", key_id, "--url", server.url, env=env)
    assert "hk_live_" in shown.stdout and key not in shown.stdout
    rotated = json.loads(run_cli("keys", "rotate", key_id, "--grace-seconds", "0", "--url", server.url, "--json", env=env).stdout)
    assert rotated["previous_key"]["id"] == key_id
    assert requests.get(server.url + "/api/v1/keys", headers=bearer(key), timeout=10).json()["error"] == "REVOKED"
    new_id = rotated["key_id"]
    revoked = run_cli("keys", "revoke", new_id, "--url", server.url, env=env)
    assert "revoked" in revoked.stdout
    denied = run_cli("keys", "list", "--url", server.url, env={"HOKUSAI_API_KEY": rotated["api_key"]}, check=False)
    assert denied.returncode != 0 and "REVOKED" in denied.stderr


def test_migrate_reports_and_applies(tmp_path):
    store = ["--data-dir", str(tmp_path / "fresh")]
    assert "migration 0 of" in run_cli("migrate", "--status", *store).stdout
    assert "applied 1" in run_cli("migrate", *store).stdout
    assert "(current)" in run_cli("migrate", "--status", *store).stdout
    assert "already current" in run_cli("migrate", *store).stdout


def test_bad_settings_fail_with_a_clear_message(tmp_path):
    result = run_cli("serve", "--database-url", "mysql://nope", "--data-dir", str(tmp_path), check=False)
    assert result.returncode != 0 and "postgres://" in result.stderr
    result = run_cli("keys", "create", "--data-dir", str(tmp_path), check=False)
    assert result.returncode != 0 and "--user-id" in result.stderr
