"""The MLflow UI in a real browser (Debian's Chromium driven by Playwright) against the real binary,
after the real MLflow client's workflow: sign in with a pasted key, read what a person would read,
sign out. Screenshots go to $HOKUSAI_TEST_OUTPUT/ui (or the test's tmp folder) for a person to look at.
"""

import os
from pathlib import Path

import mlflow
import pytest
import requests
from mlflow import MlflowClient

from conftest import Server, bearer, create_key

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
UI_BUILD = Path(mlflow.__file__).parent / "server" / "js" / "build"

@pytest.fixture
def ui_server(store_args, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (the test command installs it)")
    instance = Server(store_args, tmp_path, extra_args=["--mlflow-ui", str(UI_BUILD)]).start()
    instance.admin_key = instance.printed_keys()[0]
    yield instance
    instance.stop()


@pytest.fixture
def browser():
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def screenshots(tmp_path, request):
    base = Path(os.environ["HOKUSAI_TEST_OUTPUT"]) / "ui" if os.environ.get("HOKUSAI_TEST_OUTPUT") else tmp_path
    folder = base / request.node.name.replace("[", "-").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_workflow(server, monkeypatch, key):
    """What a data scientist does first: an experiment, a run with a param, metrics and a file, a model."""
    uri = server.url + "/api/mlflow"
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", key)
    mlflow.set_tracking_uri(uri)
    experiment = mlflow.set_experiment("ui-churn")
    with mlflow.start_run(run_name="gentle-otter") as run:
        mlflow.log_param("alpha", "0.125")
        for step in range(5):
            mlflow.log_metric("rmse", 1.0 / (step + 1), step=step)
        mlflow.log_text("hello from the run", "notes/readme.txt")
    client = MlflowClient(uri)
    client.create_registered_model("ui-churn-model", description="churn model for the UI test")
    return experiment.experiment_id, run.info.run_id


class FailedCalls:
    """API calls the page made that were answered 4xx/5xx (the GenAI routes included: they answer
    as an MLflow server with nothing configured)."""

    def __init__(self, page):
        self.seen = []
        page.on("response", self._record)

    def _record(self, response):
        if response.status >= 400:
            self.seen.append(f"{response.status} {response.request.method} {response.url}")


def sign_in(page, key):
    assert "/signin" in page.url, page.url
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_then_read_experiments_runs_and_models(ui_server, browser, screenshots, monkeypatch):
    key, _ = create_key(ui_server, user_id="scientist")
    experiment_id, run_id = log_workflow(ui_server, monkeypatch, key)
    page = browser.new_page()
    failed = FailedCalls(page)

    # The link the client prints, opened without credentials: sign in, and land where it pointed.
    page.goto(f"{ui_server.url}/api/mlflow/#/experiments/{experiment_id}/runs")
    sign_in(page, key)
    page.wait_for_url(f"**/api/mlflow/#/experiments/{experiment_id}/runs**")
    page.get_by_text("gentle-otter").first.wait_for(timeout=30_000)
    page.screenshot(path=str(screenshots / "runs-table.png"), full_page=True)

    page.goto(f"{ui_server.url}/api/mlflow/#/experiments")
    page.get_by_text("ui-churn").first.wait_for(timeout=30_000)
    page.screenshot(path=str(screenshots / "experiments.png"), full_page=True)

    page.goto(f"{ui_server.url}/mlflow/#/models")
    page.get_by_text("ui-churn-model").first.wait_for(timeout=30_000)
    page.screenshot(path=str(screenshots / "models.png"), full_page=True)

    # Signed in as the key's user; the key is in no page, URL or storage the page can read.
    me = page.evaluate("fetch('ajax-api/2.0/mlflow/users/current').then(r => r.json())")
    assert me["user"]["username"] == "scientist"
    assert page.evaluate("document.cookie") == "", "the session cookie is HttpOnly"
    storage = page.evaluate("JSON.stringify([localStorage, sessionStorage])")
    assert key not in storage and key not in page.content() and key not in page.url
    assert failed.seen == []


def test_the_run_page_and_its_charts_read_through_graphql(ui_server, browser, screenshots, monkeypatch):
    key, _ = create_key(ui_server, user_id="scientist")
    experiment_id, run_id = log_workflow(ui_server, monkeypatch, key)
    page = browser.new_page()
    failed = FailedCalls(page)
    answers = []

    def keep_graphql(response):
        if response.url.endswith("/graphql"):
            answers.append((response.status, response.request.post_data_json, response.json()))

    page.on("response", keep_graphql)
    page.goto(f"{ui_server.url}/signin")
    sign_in(page, key)
    page.wait_for_url(ui_server.url + "/")
    page.goto(f"{ui_server.url}/api/mlflow/#/experiments/{experiment_id}/runs/{run_id}")
    # The overview shows what GetRun returned: the param, the metric's latest value.
    page.get_by_text("alpha").first.wait_for(timeout=30_000)
    page.get_by_text("0.125").first.wait_for(timeout=30_000)
    page.get_by_text("rmse").first.wait_for(timeout=30_000)
    page.screenshot(path=str(screenshots / "run-page.png"), full_page=True)
    page.goto(f"{ui_server.url}/api/mlflow/#/experiments/{experiment_id}/runs/{run_id}/model-metrics")
    page.locator("canvas, svg.main-svg").first.wait_for(timeout=30_000)
    page.screenshot(path=str(screenshots / "run-charts.png"), full_page=True)

    get_runs = [body for status, sent, body in answers if sent and sent.get("operationName") == "GetRun"]
    assert get_runs, f"the run page sent no GetRun: {[sent for _, sent, _ in answers]}"
    assert all(status == 200 for status, _, _ in answers), answers
    run = get_runs[-1]["data"]["mlflowGetRun"]["run"]
    assert get_runs[-1]["errors"] is None and run["info"]["runUuid"] == run_id
    assert run["experiment"]["name"] == "ui-churn"
    assert failed.seen == []


def test_sign_out_ends_the_session_and_the_ui_asks_again(ui_server, browser, screenshots):
    page = browser.new_page()
    page.goto(ui_server.url + "/")
    sign_in(page, ui_server.admin_key)
    page.wait_for_url(ui_server.url + "/")
    cookie = next(c for c in page.context.cookies() if c["name"] == "hokusai_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    page.goto(ui_server.url + "/signin")
    assert page.get_by_text("Signed in as").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/signin?signed_out=1")
    page.screenshot(path=str(screenshots / "signed-out.png"))
    # The old cookie is dead on the server, not only gone from the browser.
    stale = requests.get(ui_server.url + "/api/2.0/mlflow/users/current", cookies={"hokusai_session": cookie["value"]}, timeout=10)
    assert stale.status_code == 401 and "session has ended" in stale.json()["message"]
    page.goto(ui_server.url + "/api/mlflow/")
    assert "/signin?next=/api/mlflow/" in page.url


def test_another_sites_form_cannot_change_anything_with_the_cookie(ui_server, browser):
    page = browser.new_page()
    page.goto(ui_server.url + "/signin")
    sign_in(page, ui_server.admin_key)
    page.wait_for_url(ui_server.url + "/")
    # A request the page itself makes is allowed; the same request with another Origin is not.
    ok = page.evaluate(
        """fetch('ajax-api/2.0/mlflow/experiments/create', {method: 'POST', headers: {'Content-Type': 'application/json'},
           body: JSON.stringify({name: 'made-in-the-browser'})}).then(r => r.status)"""
    )
    assert ok == 200
    cookie = next(c for c in page.context.cookies() if c["name"] == "hokusai_session")
    forged = requests.post(
        ui_server.url + "/ajax-api/2.0/mlflow/experiments/create",
        json={"name": "forged"},
        cookies={"hokusai_session": cookie["value"]},
        headers={"Origin": "http://evil.example"},
        timeout=10,
    )
    assert forged.status_code == 403 and "Origin (http://evil.example)" in forged.json()["message"]
    found = requests.get(
        ui_server.url + "/api/2.0/mlflow/experiments/get-by-name",
        params={"experiment_name": "forged"},
        headers=bearer(ui_server.admin_key),
        timeout=10,
    )
    assert found.status_code == 404


def test_the_artifact_browser_previews_run_files_and_a_versions_mlmodel(ui_server, browser, screenshots, monkeypatch):
    key, _ = create_key(ui_server, user_id="scientist")
    experiment_id, run_id = log_workflow(ui_server, monkeypatch, key)
    client = MlflowClient(ui_server.url + "/api/mlflow")
    client.log_dict(run_id, {"f1": 0.875}, "eval/scores.json")
    client.log_text(run_id, "artifact_path: model\nflavors:\n  python_function: {}\n", "model/MLmodel")
    version = client.create_model_version("ui-churn-model", f"runs:/{run_id}/model", run_id=run_id)
    page = browser.new_page()
    failed = FailedCalls(page)
    files = []
    page.on("response", lambda r: files.append((r.status, r.url)) if "get-artifact" in r.url else None)
    page.goto(f"{ui_server.url}/signin")
    sign_in(page, key)
    page.wait_for_url(ui_server.url + "/")

    page.goto(f"{ui_server.url}/api/mlflow/#/experiments/{experiment_id}/runs/{run_id}/artifacts")
    page.get_by_text("notes", exact=True).first.click(timeout=30_000)
    page.get_by_text("readme.txt", exact=True).first.click(timeout=30_000)
    page.get_by_text("hello from the run").first.wait_for(timeout=30_000)
    page.screenshot(path=str(screenshots / "artifact-text.png"), full_page=True)
    page.get_by_text("eval", exact=True).first.click(timeout=30_000)
    page.get_by_text("scores.json", exact=True).first.click(timeout=30_000)
    page.get_by_text("0.875").first.wait_for(timeout=30_000)
    page.screenshot(path=str(screenshots / "artifact-json.png"), full_page=True)

    # The version page reads the version's MLmodel (for its schema) through model-versions/get-artifact.
    with page.expect_response(lambda r: "model-versions/get-artifact" in r.url, timeout=30_000) as mlmodel:
        page.goto(f"{ui_server.url}/api/mlflow/#/models/ui-churn-model/versions/{version.version}")
    assert mlmodel.value.status == 200
    served = requests.get(mlmodel.value.url, headers=bearer(key), timeout=10)
    assert served.status_code == 200 and "python_function" in served.text
    page.get_by_text(f"Version {version.version}").first.wait_for(timeout=30_000)
    page.screenshot(path=str(screenshots / "model-version.png"), full_page=True)

    assert any("/get-artifact?" in url and "readme.txt" in url and status == 200 for status, url in files), files
    assert failed.seen == []


def test_the_console_lists_the_signed_in_users_keys_masked(ui_server, browser, screenshots):
    mine, _ = create_key(ui_server, user_id="carol", name="carol-laptop")
    other, _ = create_key(ui_server, user_id="dave", name="dave-laptop")
    page = browser.new_page()
    page.goto(ui_server.url + "/console")
    sign_in(page, mine)
    page.wait_for_url(ui_server.url + "/console")
    table = page.get_by_role("table")
    row = table.get_by_role("row").filter(has_text="carol-laptop")
    assert row.get_by_role("cell").nth(1).inner_text() == f"{mine[:10]}…{mine[-4:]}"
    assert "active" in row.inner_text()
    assert "dave-laptop" not in table.inner_text(), "another user's keys are not listed"
    html = page.content()
    assert mine not in html and other not in html, "no key is written into the page"
    page.screenshot(path=str(screenshots / "console-keys.png"))
