"""CPU seconds used so far, read from Linux's /proc: the machine's, and each given process tree's.

``python -m benchmarks.loadtest.cpu PID…`` prints the wall clock, the machine's busy CPU seconds (every
process, the load generator and PostgreSQL included) and the CPU seconds of each PID with all its
descendants (gunicorn's master and its workers, say), space-separated. ``run.sh`` records a line before
and after each run, so that the summary can say how much CPU a request costs and how many of the
machine's cores the mix kept busy: the busy hour's capacity, read from the same runs as its latency.
"""

import os
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def machine_busy_seconds(stat_text):
    """Busy CPU seconds since boot from /proc/stat's ``cpu`` line: all but idle, I/O wait and the time
    the hypervisor gave to other machines (steal), which no process here used."""
    fields = next(line for line in stat_text.splitlines() if line.startswith("cpu ")).split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields[:7])
    return (user + nice + system + irq + softirq) / TICKS


def _processes():
    """{pid: (parent pid, CPU seconds)} of every process still running."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as file:
                text = file.read()
        except OSError:  # it exited meanwhile
            continue
        # The command name, in parentheses, may hold spaces: the fields after it are fixed.
        fields = text[text.rindex(")") + 2 :].split()
        found[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def tree_seconds(root, processes):
    """CPU seconds of ``root`` and every process under it, in ``processes`` as ``_processes`` reads them."""
    children = {}
    for pid, (parent, _seconds) in processes.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += processes.get(pid, (0, 0.0))[1]
        todo.extend(children.get(pid, ()))
    return total


def main(argv):
    with open("/proc/stat", encoding="utf-8") as file:
        busy = machine_busy_seconds(file.read())
    processes = _processes()
    figures = [time.time(), busy, *(tree_seconds(int(pid), processes) for pid in argv)]
    print(" ".join(f"{figure:.2f}" for figure in figures))


if __name__ == "__main__":
    main(sys.argv[1:])
