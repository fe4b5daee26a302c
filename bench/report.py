"""Turns measurements into the tables of docs/BENCHMARKS.md, with the ratio MLflow/ours and each
target of issue 8 judged against the numbers (a report, never an assertion)."""

import statistics

RAW_OPERATIONS = [
    "create_run", "log_metric", "log_param", "log_batch_1000", "get_run", "get_metric_history_1000",
    "search_filtered_ordered_100", "search_page_1000", "search_full_scan", "register_model_version",
    "artifact_upload_10mb", "artifact_download_10mb",
]
TRACKING_AND_REGISTRY = [
    "create_run", "log_metric", "log_param", "log_batch_1000", "get_run", "get_metric_history_1000",
    "search_filtered_ordered_100", "search_page_1000", "search_full_scan", "register_model_version",
]


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summary(samples):
    return {"p50": statistics.median(samples), "p95": percentile(samples, 0.95), "p99": percentile(samples, 0.99),
            "ops_per_second": 1000 * len(samples) / sum(samples), "count": len(samples)}


def stats(entry):
    """Latency samples (a list of ms) or wrk's summary (a dict) as one shape."""
    return summary(entry) if isinstance(entry, list) else entry


def operation_key(results, operation):
    """`search_full_scan` is stored with its run count in the name."""
    return next((name for name in results if name == operation or name.startswith(operation + "_")), None)


def ms(value):
    return "–" if value is None else f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def latency_table(title, servers, suite):
    names = [server for server in servers if suite in servers[server]]
    ours = names[0]
    header = "| operation | " + " | ".join(f"{name} p50 / p95 ms | {name} ops/s" for name in names)
    header += " | " + " | ".join(f"{name} ÷ {ours} (p50)" for name in names[1:]) + " |"
    lines = [f"### {title}", "", header, "|" + "---|" * (1 + 2 * len(names) + len(names) - 1)]
    for operation in RAW_OPERATIONS:
        key = operation_key(servers[ours][suite], operation)
        if not key:
            continue
        cells, p50s = [], []
        for name in names:
            entry = servers[name][suite].get(key)
            if not entry:
                cells += ["–", "–"]
                p50s.append(None)
                continue
            measured = stats(entry)
            failed = f" ({measured['failures']} failed)" if measured.get("failures") else ""
            cells += [f"{ms(measured['p50'])} / {ms(measured['p95'])}{failed}", f"{measured['ops_per_second']:.0f}"]
            p50s.append(measured["p50"])
        ratios = [f"{p50 / p50s[0]:.1f}×" if p50 and p50s[0] else "–" for p50 in p50s[1:]]
        lines.append(f"| {key} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    return lines


def load_tables(servers):
    names = list(servers)
    lines = ["### Under load", "", "| measurement | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def row(label, render):
        values = []
        for name in names:
            try:
                values.append(render(servers[name]))
            except (KeyError, TypeError):
                values.append("–")
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    row("16 clients × log_batch(100), batches/s", lambda s: f"{s['concurrent']['batches_per_second']:.0f}")
    row("… metric rows/s", lambda s: f"{s['concurrent']['metrics_per_second']:.0f}")
    row("… batch latency p50 / p99 ms", lambda s: "{} / {}".format(
        ms(summary(s['concurrent']['latencies'])['p50']), ms(summary(s['concurrent']['latencies'])['p99'])))
    row("… failed writes", lambda s: str(s["concurrent"]["errors"]))
    row("… rows acknowledged / found (lost)", lambda s: "{} / {} ({})".format(
        s["concurrent"]["rows_expected"], s["concurrent"]["rows_found"], s["concurrent"]["lost"]))
    row("16 MLflow clients (processes) × log_batch(100), batches/s",
        lambda s: f"{s['client_concurrent']['batches_per_second']:.0f}")
    row("… batch latency p50 / p99 ms", lambda s: "{} / {}".format(
        ms(summary(s['client_concurrent']['latencies'])['p50']), ms(summary(s['client_concurrent']['latencies'])['p99'])))
    row("… failed writes (after the client's retries)", lambda s: str(s["client_concurrent"]["errors"]))
    row("… rows acknowledged / found (lost)", lambda s: "{} / {} ({})".format(
        s["client_concurrent"]["rows_expected"], s["client_concurrent"]["rows_found"], s["client_concurrent"]["lost"]))
    row("authenticated get_run under wrk, requests/s", lambda s: f"{s['wrk']['requests_per_second']:.0f}")
    row("… p50 / p99 ms", lambda s: f"{ms(s['wrk']['p50_ms'])} / {ms(s['wrk']['p99_ms'])}")
    row("… non-2xx answers", lambda s: str(s["wrk"]["non_2xx"]))
    row("1 GB artifact upload / download, MB/s", lambda s: "{:.0f} / {:.0f}".format(
        s["big"]["upload_mb_s"], s["big"]["download_mb_s"]))
    row("1 GB artifact through the MLflow client, upload / download MB/s", lambda s: "{:.0f} / {:.0f}".format(
        s["client_big"]["upload_mb_s"], s["client_big"]["download_mb_s"]))
    row("start to healthy, s", lambda s: f"{s['start_seconds']:.2f}")
    row("resident memory idle, MiB", lambda s: f"{s['idle_rss_mib']:.0f}")
    row("… peak under load (16 writers / wrk), MiB", lambda s: "{:.0f} / {:.0f}".format(
        s["concurrent"]["peak_rss_mib"], s["wrk"]["peak_rss_mib"]))
    row("… peak during the 1 GB upload / download, MiB", lambda s: "{:.0f} / {:.0f}".format(
        s["big"]["upload_peak_rss_mib"], s["big"]["download_peak_rss_mib"]))
    row("… peak during the 1 GB upload and download through the MLflow client, MiB",
        lambda s: f"{s['client_big']['peak_rss_mib']:.0f}")
    row("seeding the search runs (create + log_batch each), s", lambda s: f"{s['seed_seconds']:.0f} ({s['seed_retries']} retried calls)"
        if s.get("seed_seconds") is not None else "copied")
    return lines


def targets(servers):
    """Issue 8's targets, each with the numbers that decide it."""
    names = list(servers)
    ours, reference = servers[names[0]], servers[names[1]] if len(names) > 1 else None
    lines = ["### Targets", "", "| target | measured | met |", "|---|---|---|"]

    def judge(label, measured, met):
        lines.append(f"| {label} | {measured} | {'yes' if met else '**no**'} |")

    def p50(server, suite, operation):
        key = operation_key(server[suite], operation)
        return stats(server[suite][key])["p50"] if key else None

    if reference:
        for suite, factor in (("raw", 20), ("client", 5)):
            ratios = {operation: p50(reference, suite, operation) / p50(ours, suite, operation)
                      for operation in TRACKING_AND_REGISTRY
                      if p50(ours, suite, operation) and p50(reference, suite, operation)}
            if ratios:
                short = sorted((ratio, operation) for operation, ratio in ratios.items() if ratio < factor)
                measured = f"lowest {min(ratios.values()):.1f}×" + (
                    "; below: " + ", ".join(f"{operation} {ratio:.1f}×" for ratio, operation in short) if short else "")
                if suite == "client" and "client_floor" in ours:
                    measured += floor_bounds(ours, reference, [operation for _, operation in short], factor)
                judge(f"{'raw HTTP' if suite == 'raw' else 'MLflow client'}: ≥ {factor}× lower p50 than {names[1]} on "
                      "every tracking and registry operation", measured, not short)
    batch = p50(ours, "raw", "log_batch_1000")
    judge("log_batch of 1,000 metrics under 10 ms p50", f"{ms(batch)} ms", batch is not None and batch < 10)
    search = p50(ours, "raw", "search_filtered_ordered_100")
    judge("filtered, ordered search over the seeded runs under 20 ms p50", f"{ms(search)} ms", search is not None and search < 20)
    wrk = ours.get("wrk", {})
    if "requests_per_second" in wrk:
        judge("authenticated get_run ≥ 5,000 requests/s with p99 under 10 ms, every answer a 200",
              f"{wrk['requests_per_second']:.0f}/s, p99 {ms(wrk['p99_ms'])} ms, {wrk['non_2xx']} not 200",
              wrk["requests_per_second"] >= 5000 and (wrk["p99_ms"] or 99) < 10 and wrk["non_2xx"] == 0)
    judge("start to ready under 1 s", f"{ours['start_seconds']:.2f} s", ours["start_seconds"] < 1)
    judge("idle memory under 50 MB", f"{ours['idle_rss_mib']:.0f} MiB", ours["idle_rss_mib"] * 1.048576 < 50)
    big = ours.get("big", {})
    if big:
        growth = big["upload_peak_rss_mib"] - ours["idle_rss_mib"]
        judge("flat memory during a 1 GB upload", f"peak {big['upload_peak_rss_mib']:.0f} MiB (idle {ours['idle_rss_mib']:.0f})",
              growth < 64)
    for suite, label in (("concurrent", "raw clients"), ("client_concurrent", "MLflow clients")):
        concurrent = ours.get(suite, {})
        if concurrent:
            judge(f"zero failed or lost writes under concurrent load ({label})",
                  f"{concurrent['errors']} failed, {concurrent['lost']} lost of {concurrent['rows_expected']} rows",
                  concurrent["errors"] == 0 and concurrent["lost"] == 0)
    return lines


def floor_bounds(ours, reference, operations, factor):
    """For operations short of `factor` through the client: the most any server could reach, which
    is the reference's time over the client's own (the floor)."""
    bounds = []
    for operation in operations:
        floor = stats(ours["client_floor"][operation])["p50"] if operation in ours["client_floor"] else None
        theirs = stats(reference["client"][operation])["p50"] if operation in reference.get("client", {}) else None
        if floor and theirs:
            bounds.append(f"{operation} at most {theirs / floor:.1f}× for any server (the client alone takes {ms(floor)} ms)")
    return ("; " + "; ".join(bounds)) if bounds else ""


def floor_table(servers):
    """The MLflow client against a server that does no work, beside the real servers."""
    names = list(servers)
    ours = servers[names[0]]
    floor = ours.get("client_floor")
    if not floor:
        return []
    others = [name for name in names[1:] if "client" in servers[name]]
    lines = [
        "### The MLflow client's own cost (a server that does no work, bench/client_floor.py)", "",
        "| operation | client alone p50 ms | " + f"{names[0]} p50 ms (above the client's own) | "
        + " | ".join(f"{name} p50 ms | most any server can reach against {name}" for name in others) + " |",
        "|---|---|---|" + "---|---|" * len(others),
    ]
    for operation in RAW_OPERATIONS:
        if operation not in floor or operation not in ours["client"]:
            continue
        alone = stats(floor[operation])["p50"]
        mine = stats(ours["client"][operation])["p50"]
        cells = [ms(alone), f"{ms(mine)} (+{ms(max(0.0, mine - alone))})"]
        for name in others:
            theirs = servers[name]["client"].get(operation)
            theirs = stats(theirs)["p50"] if theirs else None
            cells += [ms(theirs), f"{theirs / alone:.1f}×" if theirs else "–"]
        lines.append(f"| {operation} | " + " | ".join(cells) + " |")
    return lines
