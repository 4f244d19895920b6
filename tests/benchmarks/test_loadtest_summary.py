"""The load test's summary holds each run to the targets: one run with errors or a slow p95 fails it."""

import pytest

from benchmarks.loadtest.cpu import TICKS, machine_busy_seconds, tree_seconds
from benchmarks.loadtest.summary import main

HEADER = "Type,Name,Request Count,Failure Count,Requests/s,50%,95%,99%"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    # The summary reads run.sh's records under var/ of the working directory: this test's own only.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "var").mkdir()


def _run(tmp_path, number, failures, p95):
    path = tmp_path / f"run{number}_stats.csv"
    path.write_text(f"{HEADER}\nGET,/x,10,0,1,10,20,30\n,Aggregated,3000,{failures},50.0,46,{p95},400\n")
    return str(path)


def test_every_run_inside_the_targets_passes(tmp_path, capsys):
    paths = [_run(tmp_path, n, 0, p95) for n, p95 in enumerate([240, 280, 260])]
    assert main(["50", *paths]) == 0
    output = capsys.readouterr().out
    p95 = next(line for line in output.splitlines() if line.startswith("p95"))
    assert p95.split()[2:6] == ["3", "240.0", "260.0", "280.0"]
    assert p95.endswith("met in every run")


def test_one_slow_run_fails_the_load_test(tmp_path, capsys):
    paths = [_run(tmp_path, n, 0, p95) for n, p95 in enumerate([240, 320, 260])]
    assert main(["50", *paths]) == 1
    assert "MISSED in 1 of 3 runs" in capsys.readouterr().out


def test_errors_in_one_run_fail_the_load_test(tmp_path, capsys):
    paths = [_run(tmp_path, n, failures, 250) for n, failures in enumerate([0, 2, 0])]
    assert main(["50", *paths]) == 1
    errors = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("errors"))
    assert "MISSED in 1 of 3 runs" in errors


def _line(output, start):
    return next(line for line in output.splitlines() if line.startswith(start))


def test_the_cpu_a_request_cost_is_reported_from_run_sh_s_readings(tmp_path, capsys):
    paths = [_run(tmp_path, n, 0, 250) for n in range(2)]
    # Per run: wall clock, machine busy, gunicorn, worker, before then after. 3,000 requests a run.
    (tmp_path / "var" / "loadtest-cpu.txt").write_text(
        "1000 500 100 10 1060 596 160 12\n"  # 96 busy seconds in 60 s; gunicorn 60 s; worker 2 s
        "2000 900 300 20 2060 1020 375 23\n"  # 120 in 60 s; gunicorn 75 s; worker 3 s
    )
    assert main(["50", *paths]) == 0
    output = capsys.readouterr().out
    assert _line(output, "busy, of the machine").split()[-3:] == ["1.60", "1.80", "2.00"]
    assert _line(output, "CPU per request, the whole machine").split()[-3:] == ["32.0", "36.0", "40.0"]
    assert _line(output, "CPU per request, gunicorn's workers").split()[-3:] == ["20.0", "22.5", "25.0"]
    assert _line(output, "CPU of the Celery worker").split()[-3:] == ["2.00", "2.50", "3.00"]


def test_without_cpu_readings_the_summary_leaves_the_cpu_out(tmp_path, capsys):
    assert main(["50", _run(tmp_path, 1, 0, 250)]) == 0
    assert "CPU per request" not in capsys.readouterr().out


def test_busy_seconds_leave_out_idle_io_wait_and_steal():
    stat = "cpu  1000 50 250 9000 400 30 20 700 0 0\ncpu0 500 25 125 4500 200 15 10 350 0 0\n"
    assert machine_busy_seconds(stat) == (1000 + 50 + 250 + 30 + 20) / TICKS


def test_a_process_tree_s_cpu_counts_every_descendant_and_nothing_else():
    processes = {10: (1, 1.0), 11: (10, 2.0), 12: (10, 3.0), 13: (12, 4.0), 20: (1, 50.0)}
    assert tree_seconds(10, processes) == 10.0
    assert tree_seconds(12, processes) == 7.0
    assert tree_seconds(99, processes) == 0.0
