"""The MLflow Python client, unchanged, against our server: the tracking workflow a data scientist runs."""

import re

import mlflow
import pytest
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException, RestException

from conftest import create_key


def test_a_training_run_is_tracked_end_to_end(tracking):
    experiment = mlflow.set_experiment("e2e-training")
    assert experiment.artifact_location == f"mlflow-artifacts:/{experiment.experiment_id}"
    with mlflow.start_run(run_name="baseline") as run:
        mlflow.log_param("alpha", 0.5)
        mlflow.log_params({"layers": 3, "optimizer": "adam"})
        for step in range(10):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"accuracy": 0.91, "f1": 0.88}, step=9)
        mlflow.set_tag("team", "vision")
        mlflow.set_tags({"dataset": "cifar", "stage": "dev"})
    fetched = tracking.get_run(run.info.run_id)
    assert fetched.info.status == "FINISHED" and fetched.info.end_time
    assert fetched.info.run_name == "baseline"
    assert fetched.data.params == {"alpha": "0.5", "layers": "3", "optimizer": "adam"}
    assert fetched.data.metrics == {"loss": 0.1, "accuracy": 0.91, "f1": 0.88}
    assert fetched.data.tags["team"] == "vision" and fetched.data.tags["mlflow.runName"] == "baseline"
    history = tracking.get_metric_history(run.info.run_id, "loss")
    assert [point.step for point in history] == list(range(10))
    assert history[-1].value == pytest.approx(0.1)


def test_client_level_batch_and_special_values(tracking):
    experiment_id = tracking.create_experiment("e2e-batch")
    run = tracking.create_run(experiment_id)
    assert re.fullmatch(r"[a-z]+-[a-z]+-\d+", run.info.run_name)
    from mlflow.entities import Metric, Param, RunTag

    tracking.log_batch(
        run.info.run_id,
        metrics=[Metric("m", float(i), 1_700_000_000_000 + i, i) for i in range(1000)],
        params=[Param(f"p{i}", str(i)) for i in range(100)],
        tags=[RunTag("source", "batch")],
    )
    tracking.log_metric(run.info.run_id, "nan", float("nan"))
    tracking.log_metric(run.info.run_id, "inf", float("inf"))
    data = tracking.get_run(run.info.run_id).data
    assert len(data.params) == 100 and data.metrics["m"] == 999.0
    assert data.metrics["nan"] != data.metrics["nan"]
    assert data.metrics["inf"] >= 1.7976931348623157e308
    assert len(tracking.get_metric_history(run.info.run_id, "m")) == 1000
    tracking.set_terminated(run.info.run_id, "KILLED")
    assert tracking.get_run(run.info.run_id).info.status == "KILLED"


def test_delete_and_restore_and_writes_to_a_deleted_run(tracking):
    run = tracking.create_run("0")
    tracking.delete_run(run.info.run_id)
    assert tracking.get_run(run.info.run_id).info.lifecycle_stage == "deleted"
    with pytest.raises(MlflowException) as refused:
        tracking.log_param(run.info.run_id, "p", "1")
    assert refused.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "must be in the 'active' state" in refused.value.message
    tracking.restore_run(run.info.run_id)
    tracking.log_param(run.info.run_id, "p", "1")
    experiment_id = tracking.create_experiment("e2e-lifecycle")
    tracking.delete_experiment(experiment_id)
    assert tracking.get_experiment(experiment_id).lifecycle_stage == "deleted"
    tracking.restore_experiment(experiment_id)
    tracking.rename_experiment(experiment_id, "e2e-renamed")
    assert tracking.get_experiment_by_name("e2e-renamed").experiment_id == experiment_id
    names = [experiment.name for experiment in tracking.search_experiments()]
    assert "e2e-renamed" in names and "Default" in names


def test_the_errors_a_user_hits_are_clear(tracking):
    with mlflow.start_run() as run:
        mlflow.log_param("lr", "0.1")
    with pytest.raises(MlflowException) as changed:
        tracking.log_param(run.info.run_id, "lr", "0.2")
    assert changed.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "Changing param values is not allowed" in changed.value.message
    assert tracking.get_experiment_by_name("does-not-exist") is None
    with pytest.raises(MlflowException) as missing:
        tracking.get_experiment("99999")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as absent:
        tracking.get_run("deadbeef")
    assert absent.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_a_wrong_key_fails_at_once_with_unauthenticated(tracking, server, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "hk_live_" + "A" * 26 + "000000")
    monkeypatch.delenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES")
    before = _count(server, 'hokusai_auth_outcomes_total{code="MALFORMED"}')
    with pytest.raises(RestException) as refused:
        tracking.search_experiments()
    assert refused.value.error_code == "UNAUTHENTICATED"
    assert "checksum" in refused.value.message
    assert _count(server, 'hokusai_auth_outcomes_total{code="MALFORMED"}') == before + 1, "the client must not retry a 401"


def test_a_read_only_key_reads_but_cannot_write(tracking, server, monkeypatch):
    run = tracking.create_run("0")
    reader, _ = create_key(server, user_id="viewer", scopes=["read"])
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", reader)
    assert tracking.get_run(run.info.run_id).info.run_id == run.info.run_id
    with pytest.raises(RestException) as refused:
        tracking.log_param(run.info.run_id, "p", "1")
    assert refused.value.error_code == "PERMISSION_DENIED"
    assert "'write'" in refused.value.message


def _count(server, series):
    text = requests.get(server.url + "/metrics", timeout=10).text
    match = re.search(re.escape(series) + r" (\d+)", text)
    return int(match.group(1)) if match else 0


def test_search_runs_filters_orders_and_pages(tracking):
    experiment_id = tracking.create_experiment("e2e-search")
    for index in range(7):
        run = tracking.create_run(experiment_id, run_name=f"trial-{index}", start_time=1_700_000_000_000 + index)
        tracking.log_metric(run.info.run_id, "loss", 1.0 / (index + 1), step=index)
        tracking.log_param(run.info.run_id, "model", "cnn" if index % 2 == 0 else "rnn")
        if index < 3:
            tracking.set_tag(run.info.run_id, "stage", "warmup")
    found = tracking.search_runs([experiment_id], "metrics.loss < 0.3 AND params.model = 'cnn'", order_by=["metrics.loss ASC"])
    assert [run.info.run_name for run in found] == ["trial-6", "trial-4"]
    assert [run.info.run_name for run in tracking.search_runs([experiment_id], "tags.stage = 'warmup'", order_by=["attributes.start_time ASC"])] == [
        "trial-0", "trial-1", "trial-2"]
    pages, token = [], None
    while True:
        page = tracking.search_runs([experiment_id], max_results=3, page_token=token)
        pages.append([run.info.run_name for run in page])
        token = page.token
        if not token:
            break
    assert pages == [["trial-6", "trial-5", "trial-4"], ["trial-3", "trial-2", "trial-1"], ["trial-0"]]
    listed = mlflow.search_runs([experiment_id], filter_string="params.model ILIKE 'RNN'", output_format="list")
    assert sorted(run.info.run_name for run in listed) == ["trial-1", "trial-3", "trial-5"]
    with pytest.raises(MlflowException) as bad:
        tracking.search_runs([experiment_id], "metrics.loss < 1 OR metrics.loss > 2")
    assert bad.value.error_code == "INVALID_PARAMETER_VALUE"


def test_logged_models_and_dataset_inputs_through_the_client(tracking):
    import pandas as pd
    from mlflow.entities import LoggedModelOutput

    experiment_id = tracking.create_experiment("e2e-logged-models")
    run = tracking.create_run(experiment_id)
    model = tracking.create_logged_model(experiment_id, name="model", source_run_id=run.info.run_id, params={"alpha": "0.5"})
    assert model.model_id.startswith("m-") and model.status == "PENDING"
    assert model.artifact_location == f"mlflow-artifacts:/{experiment_id}/models/{model.model_id}/artifacts"
    tracking.log_outputs(run.info.run_id, [LoggedModelOutput(model.model_id, 0)])
    assert tracking.finalize_logged_model(model.model_id, "READY").status == "READY"
    tracking.set_logged_model_tags(model.model_id, {"mlflow.modelVersions": "[]"})
    found = tracking.search_logged_models([experiment_id], filter_string="name = 'model'")
    assert [m.model_id for m in found] == [model.model_id] and found[0].tags["mlflow.modelVersions"] == "[]"
    assert tracking.get_run(run.info.run_id).outputs.model_outputs[0].model_id == model.model_id

    dataset = mlflow.data.from_pandas(pd.DataFrame({"x": [1, 2, 3]}), name="tiny")
    mlflow.set_experiment(experiment_id=experiment_id)
    with mlflow.start_run(run_id=run.info.run_id):
        mlflow.log_input(dataset, context="training")
    inputs = tracking.get_run(run.info.run_id).inputs.dataset_inputs
    assert inputs[0].dataset.name == "tiny" and inputs[0].tags[0].value == "training"
    matches = tracking.search_runs([experiment_id], "datasets.name = 'tiny' AND datasets.context = 'training'")
    assert [r.info.run_id for r in matches] == [run.info.run_id]
