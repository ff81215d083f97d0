"""Keeping a demo subprocess on loopback: :data:`LOOPBACK_ONLY` is Python source to run first in the child
(``python -c LOOPBACK_ONLY + RUN_CLI ...``). Its audit hook refuses every name lookup and connection that
is not loopback, before anything is sent, and writes ``NOT LOOPBACK: ...`` on stderr, so a test can assert
that nothing tried to leave this computer."""

import signal

LOOPBACK_ONLY = """
import ipaddress, sys
def _loopback(host):
    host = str(host).strip("[]")
    if host in ("localhost", "", "None"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False
def _loopback_only(event, args):
    if event == "socket.getaddrinfo" and not _loopback(args[0]):
        sys.stderr.write(f"NOT LOOPBACK: lookup of {args[0]}\\n"); raise OSError("loopback only (test)")
    if event == "socket.connect" and isinstance(args[1], tuple) and not _loopback(args[1][0]):
        sys.stderr.write(f"NOT LOOPBACK: connect to {args[1]}\\n"); raise OSError("loopback only (test)")
sys.addaudithook(_loopback_only)
"""
RUN_CLI = """
from thermal_keras.cli import main
sys.exit(main(sys.argv[1:]))
"""


def interruptible():
    """``preexec_fn`` of a child that must stop on SIGINT like a terminal's Ctrl-C: a parent that ignores
    SIGINT (a background job, some test runners) passes that on, and Python then installs no
    KeyboardInterrupt handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
