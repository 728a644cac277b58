"""browser - a headless Chromium driven over the DevTools protocol on a pipe.

For the report test: one browser run loads a page, reports what went wrong
in it (uncaught exceptions, console errors, any network request), answers
JavaScript questions about its DOM, clicks, and takes screenshots. No
Playwright, no WebSocket: Chromium's --remote-debugging-pipe reads JSON
commands on fd 3 and writes answers and events on fd 4, each message
ending in a NUL byte. Standard library only.

The flags are those a sandboxed root machine with no network needs:
--no-sandbox (root), no GPU, no background traffic, a fresh profile.
"""
import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps", "--mute-audio", "--hide-scrollbars")


class BrowserError(Exception):
    pass


def find():
    """The Chromium binary, or None."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    def __init__(self, binary=None, timeout=60):
        self.binary = binary or find()
        if not self.binary:
            raise BrowserError("no chromium: scripts/deps.sh test installs it")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="pgbrowser.")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        # The child's ends at fds 10+ first, so that moving them to 3 and 4
        # in the child cannot overwrite one with the other.
        hi_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
        hi_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
        os.close(to_child_r)
        os.close(from_child_w)

        def plumb():
            os.dup2(hi_r, 3, inheritable=True)
            os.dup2(hi_w, 4, inheritable=True)

        self.log = open(os.path.join(self.profile, "chromium.log"), "w+")
        self.proc = subprocess.Popen(
            [self.binary] + list(FLAGS) + ["--user-data-dir=" + self.profile,
                                          "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=plumb, close_fds=False)
        os.close(hi_r)
        os.close(hi_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None

    # ------------------------------------------------------------ protocol
    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline or self.proc.poll() is not None:
                raise BrowserError("chromium did not answer (exit status %s); its log:\n%s"
                                   % (self.proc.poll(), self.chromium_log()))
            chunk = os.read(self.from_child, 65536)
            if not chunk:
                raise BrowserError("chromium closed the pipe; its log:\n%s" % self.chromium_log())
            self.buf += chunk
        msg, _, self.buf = self.buf.partition(b"\0")
        return json.loads(msg)

    def call(self, method, params=None, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + self.timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise BrowserError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, timeout=None):
        deadline = time.time() + (timeout or self.timeout)
        for m in self.events:
            if m.get("method") == method:
                return m
        while True:
            m = self._read_message(deadline)
            self.events.append(m)
            if m.get("method") == method:
                return m

    # --------------------------------------------------------------- pages
    def open(self, path, width=1400, height=1000):
        """Load a local file in a fresh tab of this size; wait for its load event."""
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)
        att = self.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
                        session=False)
        self.session = att["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(domain + ".enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        self.events = []
        self.call("Page.navigate", {"url": "file://" + os.path.abspath(path)})
        self.wait_event("Page.loadEventFired")

    def eval(self, expression):
        """The value of a JavaScript expression in the page (JSON-able)."""
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise BrowserError("%s: %s" % (expression, r["exceptionDetails"].get("text")))
        return r["result"].get("value")

    def problems(self):
        """What went wrong so far: exceptions, console errors, log errors."""
        out = []
        for m in self.events:
            p, method = m.get("params", {}), m.get("method")
            if method == "Runtime.exceptionThrown":
                d = p["exceptionDetails"]
                out.append("exception: %s %s" % (d.get("text"),
                                                  d.get("exception", {}).get("description", "")))
            elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console.%s: %s" % (p["type"], " ".join(
                    str(a.get("value", a.get("description"))) for a in p.get("args", []))))
            elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
                out.append("log: %s" % p["entry"].get("text"))
        return out

    def requests(self):
        """Every URL the page asked for (the page itself included)."""
        return [m["params"]["request"]["url"] for m in self.events
                if m.get("method") == "Network.requestWillBeSent"]

    def screenshot(self, path, full=True):
        """A PNG of the page (the whole page when full), written to path."""
        params = {"format": "png"}
        if full:
            size = self.eval("[document.documentElement.scrollWidth,"
                             " document.documentElement.scrollHeight]")
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1})
        data = self.call("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def chromium_log(self):
        try:
            self.log.seek(0)
            return self.log.read()[-4000:]
        except (OSError, ValueError):
            return ""

    def close(self):
        try:
            if self.proc.poll() is None:
                try:
                    self.session = None
                    self.call("Browser.close", session=False)
                except BrowserError:
                    pass
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            for fd in (self.to_child, self.from_child):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.log.close()
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
