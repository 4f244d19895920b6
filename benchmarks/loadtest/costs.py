"""What each request of the load mix costs in-process, and what the mix costs per second.

Sends each kind of request the locust users send (``locustfile.py``) through Django's test client, with
the load test's accounts (``manage.py loadtest_fixtures``), and prints per kind the median and fastest
time, the number of SQL queries and their time, and the seconds of work per second that kind asks of
the server at 100 users (its rate in the mix × its median). No server, no network: where the time of a
busy hour goes, one request kind at a time, and an A/B of a change on the same database.

Usage, with the load test's settings and database (``run.sh``)::

    python -m benchmarks.loadtest.costs [--samples 30] [--kinds task_patch,alerts] [--profile KIND [--sort cumulative]]

Times on a shared machine vary by a third from one minute to the next; the instructions a process
executes do not. ``--send N`` sends each chosen kind N times after the warm-up and prints nothing, for
valgrind's callgrind to count; the difference between two counts (N = 2 and N = 22, say) over 20 is
one request's instructions, the start-up left out::

    valgrind --tool=callgrind --callgrind-out-file=/dev/null python -m benchmarks.loadtest.costs \
        --kinds api_list --send 22

Besides the mix, ``api_list`` is the benchmark's API list (100 delegated powers, two filters), read by
an API client of the load test; it has no rate in the mix.

Writes: each task PATCH saves a task (a new ``cooperating_units``) and each push case counts of one
month, as the load test does. Set ``API_TOKEN_RATE`` high: the samples would exceed a token's rate.
"""

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import time

import django

# Requests per second each kind sends at 100 users: 29 editors (a GET + PATCH pair every ~1 s), 29
# reviewers (every ~2 s, town : overview : alerts = 3 : 2 : 1), 14 platforms (every ~1.5 s), 14
# department and 14 town staff (every ~2 s, inbox : queue : call = 2 : 3 : 2).
RATES = {
    "task_patch": 29,
    "push": 9,
    "town": 7.25,
    "overview": 4.83,
    "alerts": 2.42,
    "department_inbox": 2,
    "department_queue": 3,
    "department_call": 2,
    "town_inbox": 2,
    "town_queue": 3,
    "town_call": 2,
}


class QueryTimer:
    """``connection.execute_wrapper`` that counts the queries and sums their time."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - start


def request_kinds(fixtures, month):
    """{kind: function sending one request of that kind}, each asserting the answer a user expects."""
    from django.test import Client

    from benchmarks.bench_pages import API_FILTERS

    def signed_in(entry):
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies[entry["cookie"]] = entry["session"]
        return client

    def bearer(entry):
        return Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {entry['token']}")

    editor, platform = fixtures["editors"][0], fixtures["platforms"][0]
    editor_client, platform_client = bearer(editor), bearer(platform)
    reviewer = signed_in(fixtures["reviewers"][0])
    department, town_staff = fixtures["departments"][0], fixtures["towns_staff"][0]
    department_client, town_client = signed_in(department), signed_in(town_staff)

    def ok(response, status=200):
        assert response.status_code == status, (response.status_code, response.content[:300])

    def task_patch():
        pk = random.choice(editor["tasks"])  # noqa: S311 (a load mix, not secrets)
        read = editor_client.get(f"/api/v1/tasks/{pk}/")
        ok(read)
        # A value no earlier run wrote (the samples repeat their random choices from one seed): a save
        # that changes nothing is cheaper, and the load test's saves change the task.
        body = json.dumps({"cooperating_units": f"协办单位{time.time_ns()}"})
        headers = {"If-Match": read["ETag"]}
        ok(editor_client.patch(f"/api/v1/tasks/{pk}/", body, content_type="application/json", headers=headers))

    def push():
        # As the load test's platforms: one new count for 20 of its powers, so that the rows change.
        powers, n = random.sample(platform["powers"], 20), random.randrange(1, 30)  # noqa: S311
        items = [{"power": pk, "month": month, "handled_by": "town", "accepted": n, "closed": n} for pk in powers]
        body = json.dumps({"items": items})
        ok(platform_client.post("/api/v1/case-counts/bulk/", body, content_type="application/json"))

    def queue(client, boxes):
        return lambda: ok(client.get("/territory/calls/", {"box": random.choice(boxes)}))  # noqa: S311

    def call(client, calls):
        return lambda: ok(client.get(f"/territory/calls/{random.choice(calls)}/"))  # noqa: S311

    return {
        "task_patch": task_patch,
        "push": push,
        "town": lambda: ok(reviewer.get(f"/towns/town/{random.choice(fixtures['towns'])}/")),  # noqa: S311
        "overview": lambda: ok(reviewer.get(fixtures["dashboard"])),
        "alerts": lambda: ok(reviewer.get("/api/v1/stats/alerts/", {"is_open": "true"})),
        "department_inbox": lambda: ok(department_client.get("/territory/inbox/")),
        "department_queue": queue(department_client, ["to_accept", "to_close", "overdue"]),
        "department_call": call(department_client, department["calls"]),
        "town_inbox": lambda: ok(town_client.get("/territory/inbox/")),
        "town_queue": queue(town_client, ["to_accept", "to_close", "to_evaluate", "overdue"]),
        "town_call": call(town_client, town_staff["calls"]),
        "api_list": lambda: ok(platform_client.get("/api/v1/delegated-powers/", {"page_size": 100, **API_FILTERS})),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixtures", default=os.environ.get("LOADTEST_FIXTURES", "var/loadtest.json"))
    parser.add_argument("--month", default=os.environ.get("LOADTEST_MONTH", "2026-10"))
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument(
        "--kinds", default=",".join(RATES), help="comma-separated, of: " + ", ".join([*RATES, "api_list"])
    )
    parser.add_argument("--profile", metavar="KIND", help="cProfile this kind instead (its top 60 functions)")
    parser.add_argument("--sort", default="tottime", help="with --profile: tottime (own time) or cumulative")
    parser.add_argument("--send", type=int, metavar="N", help="only send each kind N times (for callgrind)")
    args = parser.parse_args()
    django.setup()
    with open(args.fixtures, encoding="utf-8") as file:
        kinds = request_kinds(json.load(file), args.month)
    chosen = [args.profile] if args.profile else args.kinds.split(",")
    unknown = [kind for kind in chosen if kind not in kinds]
    if unknown:
        parser.error(f"unknown kind(s): {', '.join(unknown)}")
    random.seed(1)
    if args.send is not None:
        for kind in chosen:
            for _ in range(3 + args.send):  # the warm-up's three, as timed runs have
                kinds[kind]()
    else:
        report(kinds, chosen, args.samples, profiled=bool(args.profile), sort=args.sort)


def report(kinds, chosen, samples, profiled, sort="tottime"):
    """Print each chosen kind's median and fastest time, queries, SQL time and its share of the mix."""
    from django.db import connection

    total = 0.0
    print(f"{'kind':18} {'median ms':>10} {'min ms':>8} {'queries':>8} {'SQL ms':>8} {'s/s at 100 users':>17}")
    for kind in chosen:
        send = kinds[kind]
        for _ in range(3):  # warm per-process caches (content types, translations, templates)
            send()
        profile = cProfile.Profile() if profiled else None
        times, sql = [], []
        for _ in range(samples):
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                start = time.perf_counter()
                if profile:
                    profile.enable()
                send()
                if profile:
                    profile.disable()
                times.append(time.perf_counter() - start)
            sql.append(timer.seconds)
        median = statistics.median(times)
        rate = RATES.get(kind, 0)
        total += median * rate
        print(
            f"{kind:18} {median * 1000:10.1f} {min(times) * 1000:8.1f} {timer.count:8d} "
            f"{statistics.median(sql) * 1000:8.1f} {median * rate:17.2f}"
        )
        if profile:
            pstats.Stats(profile).sort_stats(sort).print_stats(60)
    if not profiled and set(RATES) <= set(chosen):
        print(f"the whole mix at 100 users asks {total:.2f} s of work per second of this machine")


if __name__ == "__main__":
    main()
