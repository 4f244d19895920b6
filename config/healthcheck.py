"""Compose's health check of the web container: /healthz, then the login page, asked as the proxy asks.

Run as ``python config/healthcheck.py``; exits 0 when both answer 200, else prints why and exits 1.
Standard library only, without Django, so that running it every few seconds costs next to nothing.
The requests carry a Host from ALLOWED_HOSTS and ``X-Forwarded-Proto: https`` as the TLS proxy sends
them, so production's host check and HTTPS redirect treat them like a visitor's; redirects are not
followed, so a redirect fails the check instead of hiding a broken page.
"""

import os
import sys
import urllib.error
import urllib.request

PATHS = ("/healthz", "/accounts/login/")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _host():
    """The first concrete name in ALLOWED_HOSTS (a leading dot allows subdomains; "*" names none)."""
    for name in os.environ.get("ALLOWED_HOSTS", "").split(","):
        name = name.strip().lstrip(".")
        if name and name != "*":
            return name
    return "localhost"


def main():
    """Ask each path once; return the process's exit status."""
    base = os.environ.get("HEALTHCHECK_URL", "http://127.0.0.1:8000")
    opener = urllib.request.build_opener(_NoRedirect)
    headers = {"Host": _host(), "X-Forwarded-Proto": "https"}
    for path in PATHS:
        # The URL is the container's own loopback address (or HEALTHCHECK_URL), never a visitor's.
        request = urllib.request.Request(base + path, headers=headers)  # noqa: S310
        try:
            with opener.open(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 1
        if status != 200:
            print(f"{path}: HTTP {status}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
