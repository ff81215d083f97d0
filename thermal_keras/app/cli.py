"""``thermal-keras app``: serve the web demo (docs/app.md)::

    thermal-keras app                              # http://127.0.0.1:7860/
    thermal-keras app --port 8080 --model exported/rgb2thermal
    thermal-keras app --share                      # also a public gradio.live link (asks Gradio's server)

The demo runs until Ctrl-C. It binds 127.0.0.1 (this computer only) unless ``--host`` says otherwise,
and opens a public share link only with ``--share``. Models load on first use. Needs the ``[app]``
extra (Gradio).
"""

from __future__ import annotations

DEFAULT_PORT = 7860


def register(commands, train_models) -> dict:
    """Add the ``app`` command; returns its handler."""
    app = commands.add_parser("app", help="serve the web demo of the presets (http://127.0.0.1:7860/)")
    app.add_argument("--host", default="127.0.0.1",
                     help="IP address to bind (default: 127.0.0.1, this computer only; 0.0.0.0 opens it to "
                          "your network, without any login)")
    app.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT}; 0: any free one)")
    app.add_argument("--share", action="store_true",
                     help="also open a public https://….gradio.live link through Gradio's share server "
                          "(anyone with the link can use the demo; off unless given)")
    app.add_argument("--model", action="append", default=[], metavar="PATH",
                     help="also offer this RGB -> thermal model on the first tab: an exported SavedModel folder, "
                          ".keras file, run folder or preset folder (repeat for several)")
    return {"app": app_command}


def checked_address(host: str, port: int) -> tuple[str, int, bool]:
    """``(host, port, loopback)`` after binding ``host:port`` once to check it: ``port`` 0 becomes a
    free port, ``localhost`` becomes 127.0.0.1; ``loopback`` is whether only this computer can connect.
    A host that is no IP address of this computer, a port in use or out of range: a ``ValueError`` or
    ``OSError`` naming the option to change."""
    import errno
    import ipaddress
    import socket

    if not 0 <= port <= 65535:
        raise ValueError(f"--port {port}: needs 0..65535")
    name = "127.0.0.1" if host == "localhost" else host.strip("[]")
    try:
        address = ipaddress.ip_address(name)
    except ValueError:  # a name would need a DNS lookup, and may not be this computer's
        raise ValueError(f"--host {host}: not an IP address; give one of this computer's addresses "
                         f"(127.0.0.1, this computer only; 0.0.0.0, every network interface)") from None
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((name, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise OSError(f"--port {port} is in use on {host}; try another --port (0: any free one)") from None
            if error.errno == errno.EACCES:
                raise OSError(f"--port {port} needs more rights than this user has; try a port above 1023") from None
            raise OSError(f"--host {host} is not an address of this computer ({error.strerror}); try "
                          f"127.0.0.1 or 0.0.0.0") from None
        port = probe.getsockname()[1]
    return name, port, address.is_loopback


def app_command(args) -> int:
    import os
    import sys
    import time

    from thermal_keras.app.models import ModelRegistry

    registry = ModelRegistry(args.model)  # a missing --model path stops here, before the demo starts
    host, port, loopback = checked_address(args.host, args.port)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry, no version check
    try:
        from thermal_keras.app.demo import build_demo
    except ModuleNotFoundError as error:
        if error.name != "gradio":
            raise
        raise OSError("the web demo needs Gradio: pip install \"thermal-keras[app]\" (make app installs it)") from None
    demo = build_demo(registry)
    demo.launch(server_name=f"[{host}]" if ":" in host else host, server_port=port, share=args.share,
                prevent_thread_lock=True, quiet=True, inbrowser=False)
    try:
        if not loopback:
            print(f"note: --host {args.host} lets other computers use the demo, without any login", file=sys.stderr)
        if args.share and not demo.share_url:
            print("note: no share link could be made (see Gradio's message above); the local address works",
                  file=sys.stderr)
        print(f"thermal-keras demo on {demo.local_url}  (Ctrl-C stops it)", flush=True)  # the last line: ready
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        demo.close()
    return 0
