"""The demo's HTTP server: one page, its script and style, and a small JSON API (standard library only).

Routes (anything else is 404; methods other than GET and POST 405)::

    GET  /                                 the page (static/index.html)
    GET  /app.js, /app.css                 its script and style
    GET  /api/info                         tabs, their models and limits, the examples
    GET  /api/examples/<id>/<picture>.png  a bundled example picture (thermal_keras.app.examples)
    POST /api/translate   multipart: image, model, colormap
    POST /api/upscale     multipart: image, model ("auto" or a preset)
    POST /api/fuse        multipart: visible, infrared, model, colour ("1" or empty)

A POST answers ``200`` with the handler's JSON result, ``400`` with ``{"error": message}`` for input
the demo cannot use, ``413`` for a request body over :data:`~thermal_keras.app.uploads.MAX_UPLOAD_BYTES`
and ``500`` with a one-line message (the traceback goes to the server's log, never to the page) for
a failure of the demo itself; the server keeps serving after each. Static files come from a fixed
table of package files: no request names a path on the server's disk. Bound to a loopback address,
the server answers only requests whose ``Host`` is a loopback name (a web page elsewhere cannot
reach it through DNS rebinding).
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import urlsplit

from thermal_keras.app import examples, handlers
from thermal_keras.app.models import SR_AUTO, ModelLoadError, ModelRegistry
from thermal_keras.app.pictures import COLORMAPS
from thermal_keras.app.uploads import MAX_UPLOAD_BYTES, InputError, parse_multipart

STATIC = {"/": ("index.html", "text/html; charset=utf-8"),
          "/app.js": ("app.js", "text/javascript; charset=utf-8"),
          "/app.css": ("app.css", "text/css; charset=utf-8")}
JSON_TYPE = "application/json; charset=utf-8"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
DRAIN_LIMIT = 4 * MAX_UPLOAD_BYTES  # an oversized body up to this is read and dropped, so the browser sees the 413
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                                "script-src 'self'; connect-src 'self' data:; object-src 'none'; "
                                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
}


def static_file(name: str) -> bytes:
    """A file of ``thermal_keras/app/static`` (package data) as bytes."""
    return resources.files("thermal_keras.app").joinpath("static", name).read_bytes()


def info(registry: ModelRegistry) -> dict:
    """What the page builds its tabs from: models, limits (pixels and bytes), colormaps and examples."""
    tabs = {}
    for task, limits in handlers.LIMITS.items():
        choices = [c.as_json() for c in registry.choices[task]]
        if task == "sr":
            choices.insert(0, {"id": SR_AUTO, "label": "auto: the grey preset for grey images, the RGB one for colour",
                               "trained_on": " / ".join(f"{c.id}: {c.trained_on}" for c in registry.choices[task])})
        tabs[task] = {"models": choices, "min_side": limits.min_side, "max_side": limits.max_side,
                      "limit": limits.describe()}
    return {"tabs": tabs, "max_upload_bytes": MAX_UPLOAD_BYTES, "colormaps": list(COLORMAPS),
            "examples": examples.example_index()}


class DemoServer(ThreadingHTTPServer):
    """A :class:`ThreadingHTTPServer` holding the demo's :class:`ModelRegistry`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, registry: ModelRegistry):
        self.registry = registry
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, DemoHandler)

    def handle_error(self, request, client_address):
        """A client that went away (closed tab, reset connection) is normal; anything else is logged."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"


class DemoHandler(BaseHTTPRequestHandler):
    server: DemoServer
    server_version = "thermal-keras-app"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a client may take to send its request

    # --- answers ---------------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str, close: bool = False):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in SECURITY_HEADERS.items():
            self.send_header(key, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, value: dict, close: bool = False):
        self._send(status, json.dumps(value, allow_nan=False).encode("utf-8"), JSON_TYPE, close)

    def _error(self, status: int, message: str, close: bool = False):
        self._json(status, {"error": message}, close)

    def send_error(self, code, message=None, explain=None):  # the base class's HTML page, as JSON
        self._error(code, message or self.responses.get(code, ("error",))[0], close=True)

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        if not getattr(self.server, "quiet", False):
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    # --- checks ----------------------------------------------------------------------------------
    def _host_allowed(self) -> bool:
        bound = self.server.server_address[0]
        if bound not in LOOPBACK_HOSTS:
            return True
        host = (self.headers.get("Host") or "").strip()
        name = host[1:host.index("]")] if host.startswith("[") and "]" in host else host.rsplit(":", 1)[0]
        return name.lower() in LOOPBACK_HOSTS

    # --- methods ---------------------------------------------------------------------------------
    def _not_allowed(self):
        self._error(405, f"method {self.command} is not allowed here (GET and POST only)", close=True)

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _not_allowed

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        if not self._host_allowed():
            return self._error(403, "this demo answers requests to localhost / 127.0.0.1 only")
        path = urlsplit(self.path).path
        try:
            if path in STATIC:
                name, content_type = STATIC[path]
                return self._send(200, static_file(name), content_type)
            if path == "/api/info":
                return self._json(200, info(self.server.registry))
            parts = path.split("/")
            if len(parts) == 5 and parts[:3] == ["", "api", "examples"] and parts[4].endswith(".png"):
                return self._send(200, examples.example_png(parts[3], parts[4][:-4]), "image/png")
        except InputError as error:
            return self._error(404, str(error))
        except Exception as error:  # the demo's own failure: logged here, one line to the page
            return self._internal(error)
        self._error(404, f"no page {path!r} here")

    def do_POST(self):
        if not self._host_allowed():
            return self._error(403, "this demo answers requests to localhost / 127.0.0.1 only", close=True)
        path = urlsplit(self.path).path
        route = {"/api/translate": self._translate, "/api/upscale": self._upscale, "/api/fuse": self._fuse}.get(path)
        if route is None:
            return self._error(404, f"no API {path!r} here", close=True)
        body = self._read_body()
        if body is None:
            return
        try:
            fields = parse_multipart(body, self.headers.get("Content-Type", ""))
            answer = json.dumps(route(fields), allow_nan=False).encode("utf-8")  # NaN is no JSON: a 500 here
        except InputError as error:
            return self._error(400, str(error))
        except ModelLoadError as error:
            return self._error(500, f"{error}; the server keeps running, choose another model")
        except Exception as error:
            return self._internal(error)
        self._send(200, answer, JSON_TYPE)

    def _read_body(self) -> bytes | None:
        """The request body, or ``None`` after answering a missing or oversized one."""
        if self.headers.get("Transfer-Encoding", "").lower() not in ("", "identity"):
            self._error(411, "send the upload with a Content-Length (chunked uploads are not accepted)", close=True)
            return None
        try:
            length = int(self.headers.get("Content-Length", ""))
            if length < 0:
                raise ValueError
        except ValueError:
            self._error(411, "the request has no valid Content-Length", close=True)
            return None
        if length > MAX_UPLOAD_BYTES:
            if length <= DRAIN_LIMIT:
                while length > 0:
                    chunk = self.rfile.read(min(length, 1 << 20))
                    if not chunk:
                        break
                    length -= len(chunk)
            self._error(413, f"the upload is {int(self.headers['Content-Length']) / 2**20:.1f} MiB; the demo takes "
                             f"at most {MAX_UPLOAD_BYTES // 2**20} MiB per request", close=True)
            return None
        return self.rfile.read(length)

    def _internal(self, error: Exception):
        if isinstance(error, ConnectionError):  # the client went away while we answered
            self.close_connection = True
            return
        traceback.print_exc(file=sys.stderr)
        message = " ".join(str(error).split())[:300] or type(error).__name__
        self._error(500, f"the demo failed on this input ({type(error).__name__}: {message}); the server "
                         f"keeps running, try another image")

    # --- the three tasks -------------------------------------------------------------------------
    @staticmethod
    def _file(fields, name):
        return fields[name][1] if name in fields else None

    @staticmethod
    def _text(fields, name, default=""):
        if name not in fields:
            return default
        try:
            return fields[name][1].decode("utf-8").strip()
        except UnicodeDecodeError:
            raise InputError(f"form field {name!r} is not UTF-8 text") from None

    def _translate(self, fields):
        registry = self.server.registry
        model = self._text(fields, "model") or registry.choices["translate"][0].id
        return handlers.translate(registry, self._file(fields, "image"), model,
                                  self._text(fields, "colormap", "inferno") or "inferno")

    def _upscale(self, fields):
        return handlers.upscale(self.server.registry, self._file(fields, "image"),
                                self._text(fields, "model", SR_AUTO) or SR_AUTO)

    def _fuse(self, fields):
        return handlers.fuse(self.server.registry, self._file(fields, "visible"), self._file(fields, "infrared"),
                             self._text(fields, "model") or None,
                             colour=self._text(fields, "colour") in ("1", "true", "on"))


def make_server(registry: ModelRegistry, host: str = "127.0.0.1", port: int = 7860, quiet: bool = False) -> DemoServer:
    """A bound (not yet serving) :class:`DemoServer`; ``port=0`` picks a free port (``server.url``)."""
    server = DemoServer((host, port), registry)
    server.quiet = quiet
    return server


def serve_in_thread(server: DemoServer) -> threading.Thread:
    """Run ``server.serve_forever`` in a daemon thread (tests; stop with ``server.shutdown()``)."""
    thread = threading.Thread(target=server.serve_forever, name="thermal-keras-app", daemon=True)
    thread.start()
    return thread
