"""Production smoke, the client's part: what a clerk's browser and another system do, against gunicorn.

Called by .ci/smoke-production with the server's base URL; exits non-zero, saying what it saw, on the
first thing that is not as a user expects. Standard library only. Every request carries
``X-Forwarded-Proto: https`` as the TLS proxy would, so production's HTTPS redirect lets it through;
cookies are Secure, which a cookie jar would withhold over plain HTTP to loopback, so they are kept by
hand and sent back explicitly.

Usage: smoke_client.py BASE_URL USERNAME PASSWORD TOKEN
"""

import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie

RECOMPUTE_WAIT = 60  # seconds the worker gets to show an edit in the statistics


class SmokeFailure(Exception):
    """Something a user or client would see go wrong."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """HTTP as the proxy forwards it: HTTPS declared, cookies (Secure ones too) kept and sent back."""

    def __init__(self, base):
        self.base = base.rstrip("/")
        self.origin = "https://" + urllib.parse.urlsplit(self.base).netloc
        self.cookies = {}
        self.set_cookie_headers = []
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(self, method, path, *, data=None, headers=None, token=None):
        """Send one request; return (status, headers, body bytes) whatever the status."""
        headers = {"X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies and not token:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if token:
            headers["Authorization"] = f"Token {token}"
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                status, reply_headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, reply_headers, body = error.code, error.headers, error.read()
        for raw in reply_headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(raw)
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        return status, reply_headers, body

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def json(self, method, path, *, token, payload=None, headers=None, expect=200):
        """An API call with the token; fail unless it answers ``expect``; return (json body, headers)."""
        data = json.dumps(payload).encode() if payload is not None else None
        headers = {"Accept": "application/json", "Content-Type": "application/json", **(headers or {})}
        status, reply_headers, body = self.request(method, path, data=data, headers=headers, token=token)
        if status != expect:
            raise SmokeFailure(f"{method} {path}: expected {expect}, got {status}: {body[:500]!r}")
        return json.loads(body), reply_headers


def expect(condition, message):
    if not condition:
        raise SmokeFailure(message)


def phase(name, started):
    print(f"  {name:<18} {(time.monotonic() - started) * 1000:6.0f} ms", flush=True)
    return time.monotonic()


def check_health(client):
    status, _, body = client.get("/healthz")
    expect(status == 200, f"/healthz answered {status}: {body[:500]!r}")
    checks = json.loads(body)["checks"]
    # Everything is configured here: each check must have run, not been skipped.
    expect(all(result == "ok" for result in checks.values()), f"/healthz checks: {checks}")


def log_in(client, username, password):
    status, _, body = client.get("/accounts/login/")
    page = body.decode()
    expect(status == 200, f"login page answered {status}: {page[:500]}")
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page)
    expect(css, "login page links no hashed stylesheet (is the static manifest in use?)")
    status, headers, _ = client.get(css.group(1))
    expect(status == 200, f"{css.group(1)} answered {status}")
    expect(headers.get_content_type() == "text/css", f"{css.group(1)} is {headers.get('Content-Type')}")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    expect(csrf and "csrftoken" in client.cookies, "login page set no CSRF token")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf.group(1), "username": username, "password": password}
    ).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": client.origin,
        "Referer": client.origin + "/accounts/login/",
    }
    status, _, body = client.request("POST", "/accounts/login/", data=form, headers=headers)
    expect(status == 302, f"login answered {status}, not a redirect: {body[:500]!r}")
    expect("sessionid" in client.cookies, "login set no session cookie")
    for raw in client.set_cookie_headers:
        if raw.startswith(("sessionid=", "csrftoken=")):
            expect("secure" in raw.lower(), f"cookie not Secure: {raw}")
    # A page that needs the login: the towns of the clerk's county.
    status, _, body = client.get("/towns/")
    expect(status == 200, f"/towns/ answered {status} after login")
    expect('action="/accounts/logout/"' in body.decode(), "/towns/ shows no logout button: not signed in")


def find_taken_over_power(client, token):
    """A taken-over power of 371581, and the path and figure of its town's taken-over count."""
    powers, _ = client.json(
        "GET", "/api/v1/delegated-powers/?region=371581&take_over_status=taken_over&page_size=1", token=token
    )
    expect(powers["results"], "the API lists no taken-over power in 371581")
    power = powers["results"][0]
    summary_path = f"/api/v1/stats/power-figures/summary/?scope_kind=town&town={power['town_code']}"
    before, _ = client.json("GET", summary_path, token=token)
    print(f"  power {power['id']} of town {power['town_code']}: taken over {before['taken_over']}")
    return power, summary_path, before["taken_over"]


def edit_power(client, token, power, changes):
    """PATCH ``changes`` onto the power with the ETag just read, as an integrating system does."""
    _, headers = client.json("GET", f"/api/v1/delegated-powers/{power['id']}/", token=token)
    etag = headers.get("ETag")
    expect(etag, "the API answered a record without an ETag")
    client.json(
        "PATCH", f"/api/v1/delegated-powers/{power['id']}/", token=token, payload=changes, headers={"If-Match": etag}
    )


def wait_for_taken_over(client, token, summary_path, expected):
    deadline = time.monotonic() + RECOMPUTE_WAIT
    while time.monotonic() < deadline:
        after, _ = client.json("GET", summary_path, token=token)
        if after["taken_over"] == expected:
            print(f"  worker recomputed: taken over now {after['taken_over']}")
            return
        time.sleep(0.5)
    raise SmokeFailure(f"no recompute within {RECOMPUTE_WAIT} s: taken over still {after['taken_over']}")


def main(base, username, password, token):
    """Run every phase, printing its time; return the process's exit status."""
    client, api = Client(base), Client(base)
    try:
        started = time.monotonic()
        check_health(client)
        started = phase("health", started)
        log_in(client, username, password)
        started = phase("login", started)
        power, summary_path, before = find_taken_over_power(api, token)
        edit_power(api, token, power, {"take_over_status": "pending", "take_over_on": None})
        started = phase("API calls", started)
        wait_for_taken_over(api, token, summary_path, before - 1)
        started = phase("recompute seen", started)
        # Right after the worker drained the first edit: it must queue a recompute of its own, not be
        # swallowed by the first one's coalescing key.
        edit_power(api, token, power, {"take_over_status": "taken_over", "take_over_on": power["take_over_on"]})
        wait_for_taken_over(api, token, summary_path, before)
        phase("second edit seen", started)
    except SmokeFailure as failure:
        print(f"SMOKE FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__.rsplit("Usage: ", 1)[1])
    sys.exit(main(*sys.argv[1:]))
