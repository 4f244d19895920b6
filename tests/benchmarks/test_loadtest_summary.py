"""The load test's summary holds each run to the targets: one run with errors or a slow p95 fails it."""

from benchmarks.loadtest.summary import main

HEADER = "Type,Name,Request Count,Failure Count,Requests/s,50%,95%,99%"


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
