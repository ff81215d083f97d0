"""``thermal-keras app``: serve the web demo (docs/app.md)::

    thermal-keras app                              # http://127.0.0.1:7860/
    thermal-keras app --port 8080 --model exported/rgb2thermal

The server runs until Ctrl-C. It binds 127.0.0.1 (this computer only) unless ``--host`` says
otherwise; there is no public share link. Models load on first use.
"""

from __future__ import annotations

DEFAULT_PORT = 7860


def register(commands, train_models) -> dict:
    """Add the ``app`` command; returns its handler."""
    app = commands.add_parser("app", help="serve the web demo of the presets (http://127.0.0.1:7860/)")
    app.add_argument("--host", default="127.0.0.1",
                     help="address to bind (default: 127.0.0.1, this computer only; 0.0.0.0 opens it to "
                          "your network, without any login)")
    app.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT}; 0: any free one)")
    app.add_argument("--model", action="append", default=[], metavar="PATH",
                     help="also offer this RGB -> thermal model on the first tab: an exported SavedModel folder, "
                          ".keras file, run folder or preset folder (repeat for several)")
    return {"app": app_command}


def app_command(args) -> int:
    import sys

    from thermal_keras.app.models import ModelRegistry
    from thermal_keras.app.server import LOOPBACK_HOSTS, make_server

    if not 0 <= args.port <= 65535:
        raise ValueError(f"--port {args.port}: needs 0..65535")
    registry = ModelRegistry(args.model)  # a missing --model path stops here, before the server starts
    try:
        server = make_server(registry, args.host, args.port)
    except OSError as error:
        raise OSError(f"cannot serve on {args.host}:{args.port} ({error.strerror or error}); "
                      f"try another --port") from None
    print(f"thermal-keras demo on {server.url}  (Ctrl-C stops it)", flush=True)
    if server.server_address[0] not in LOOPBACK_HOSTS:
        print(f"note: --host {args.host} lets other computers use the demo, without any login", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped")
    finally:
        server.server_close()
    return 0
