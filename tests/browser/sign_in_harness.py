"""What the sign-in tests in the browser stand on: a local identity provider, the dashboard started
with sign-in configured (or deliberately not), and a browser that signs in as a given person.

- The identity provider is oidc-provider-mock, a real OpenID Connect provider for tests, served
  from a thread of the test process on a free port of 127.0.0.1. Its sign-in page takes any
  subject and makes it the person's e-mail address, so each test signs in as whoever it needs.
- The dashboard is `streamlit run dashboard.py` in the project folder (so it keeps the project's
  `.streamlit/config.toml`), with the secrets read from a file of the test's own
  (`--secrets.files`): an `[auth]` section naming the provider, or none at all.
- Nothing may leave this machine: every request from the browser to a host that is not this
  computer is stopped and recorded. The provider's own page links a style sheet on a public
  CDN; that one is stopped too, and recorded apart, since it is the provider's, not Reach's.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from tests.browser.test_browser import LOCAL_HOSTS, PROJECT, SECRET, _free_port

CLIENT_ID, CLIENT_SECRET = "reach-dashboard", "not-a-real-client-secret"
COOKIE_SECRET = "a-cookie-secret-for-tests-only-0123456789abcdef"
# A name for this computer that is not "localhost": the browser is told it is 127.0.0.1
# (Chromium's --host-resolver-rules), so a visit by this name reaches the dashboard here while
# its Host header says it came from elsewhere, as a colleague's browser on the network would.
OTHER_NAME = "reach.example.test"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--host-resolver-rules=MAP {OTHER_NAME} 127.0.0.1"]


# --- the identity provider -------------------------------------------------------------------------

@contextmanager
def identity_provider():
    """oidc-provider-mock on a free port of 127.0.0.1, served from a thread; yields its base URL."""
    import werkzeug.serving
    from oidc_provider_mock import app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)       # not a line for every request
    server = werkzeug.serving.make_server("127.0.0.1", 0, app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def write_secrets(folder: Path, *, provider: str | None) -> Path:
    """A secrets.toml: with `provider`, an `[auth]` section as Streamlit documents for st.login;
    without, no section at all (sign-in not configured)."""
    path = folder / "secrets.toml"
    if provider is None:
        path.write_text("# no [auth] section: sign-in is not configured\n")
        return path
    path.write_text(
        "[auth]\n"
        'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{COOKIE_SECRET}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n')
    return path


def write_roles(folder: Path, lines: list[tuple[str, str, str]]) -> Path:
    """The roles file (REACH_ROLES): a CSV of e-mail address, role and centres."""
    path = folder / "roles.csv"
    path.write_text("email,role,centres\n" + "".join(f"{email},{role},{centres}\n" for email, role, centres in lines))
    return path


# --- the dashboard -------------------------------------------------------------------------------------

@dataclass
class Dashboard:
    """A running dashboard: its process, the address it listens on and the URL to visit it by."""

    process: subprocess.Popen
    base: str
    port: int
    db: Path
    log: Path
    _log_file: object = field(repr=False, default=None)

    def url(self, path: str = "", *, host: str = "localhost") -> str:
        return f"http://{host}:{self.port}/{path}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        if self._log_file is not None:
            self._log_file.close()      # type: ignore[attr-defined]


def start_dashboard(folder: Path, *, db: Path, secrets: Path, roles: Path | None = None,
                    address: str = "127.0.0.1", environment: dict[str, str] | None = None) -> Dashboard:
    """`streamlit run dashboard.py` on `db` with the secrets in `secrets`, listening on `address`
    on a free port, polled until healthy. Run from the project folder, so the project's
    .streamlit/config.toml applies; `--secrets.files` names the only secrets file read."""
    port = _free_port()
    env = {name: value for name, value in os.environ.items()
           if name not in {"REACH_ROLES", "REACH_ALLOW_ANONYMOUS"} and not name.startswith("STREAMLIT_")}
    env.update(REACH_DB=str(db), REACH_SECRET=SECRET, **(environment or {}))
    if roles is not None:
        env["REACH_ROLES"] = str(roles)
    log = folder / f"streamlit-{port}.log"
    log_file = log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(PROJECT / "dashboard.py"),
         "--server.headless", "true", "--server.port", str(port), "--server.address", address,
         "--browser.gatherUsageStats", "false", "--secrets.files", str(secrets)],
        cwd=PROJECT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
    )
    dashboard = Dashboard(process=process, base=f"http://{address}:{port}", port=port, db=db, log=log,
                          _log_file=log_file)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://{address}:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return dashboard
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            dashboard.stop()
            raise RuntimeError("streamlit did not start:\n" + log.read_text())
        time.sleep(0.2)


def this_computers_address() -> str | None:
    """This computer's own address on its network (not 127.x), or None where it has none. Asks
    the operating system which address it would send from; no packet is sent."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))      # any routed address: a UDP socket sends nothing on connect
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


# --- the browser -----------------------------------------------------------------------------------------

class Watch:
    """Every request a browser context makes to a host that is not this computer is stopped before
    it leaves and recorded: in `outside` (a failure), or in `provider_extras` when the provider's own
    page asked for it. `local` names the hosts that are this computer in a test (the name the
    browser maps to 127.0.0.1, this computer's own network address)."""

    def __init__(self, context, *, provider: str, local: frozenset[str] = frozenset()):
        self.local = set(LOCAL_HOSTS) | {OTHER_NAME} | set(local)
        self.provider = provider
        self.outside: list[str] = []
        self.provider_extras: list[str] = []
        self.errors: list[str] = []
        context.route(self._leaves, self._stop)
        context.on("page", self._watch_page)

    def _leaves(self, url: str) -> bool:
        if url.startswith(("data:", "blob:", "about:")):
            return False
        return (urlparse(url).hostname or "") not in self.local

    def _stop(self, route) -> None:
        request = route.request
        try:
            from_page = request.frame.url
        except Exception:       # a request with no frame (a service worker's)
            from_page = ""
        (self.provider_extras if from_page.startswith(self.provider) else self.outside).append(request.url)
        route.abort("blockedbyclient")

    def _watch_page(self, page) -> None:
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on("websocket", lambda socket_: self._leaves(socket_.url) and self.outside.append(socket_.url))


def sign_in(page, dashboard: Dashboard, email: str, *, path: str = "") -> None:
    """From the dashboard's sign-in page to signed in as `email`: press Sign in, type the address
    as the subject on the provider's page (it becomes the e-mail claim) and authorise."""
    page.goto(dashboard.url(path), wait_until="commit")
    page.get_by_role("button", name=re.compile(r"^Sign in")).click()
    page.wait_for_url(re.compile(r".*/oauth2/authorize.*"), timeout=30_000)
    page.locator("input[name='sub']").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(rf"^http://localhost:{dashboard.port}/(?!oauth2callback).*"), timeout=30_000)
