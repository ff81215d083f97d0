"""``thermal-keras app`` as a user starts it: a subprocess that serves within seconds on a free port, binds
127.0.0.1 by default, and stops on Ctrl-C; a missing ``--model`` path is an error before serving."""

import json
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

START_TIMEOUT = 60  # seconds until the server prints its address (TensorFlow's import is most of it)
STOP_TIMEOUT = 60  # seconds from Ctrl-C (SIGINT) to the process's exit, on 2 busy cores


def _interruptible():
    # A terminal's Ctrl-C reaches a process that takes SIGINT. A parent that ignores SIGINT (a background
    # job, some test runners) passes that on, and Python then installs no KeyboardInterrupt handler.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_app_serves_on_loopback_and_stops_on_ctrl_c():
    process = subprocess.Popen([sys.executable, "-m", "thermal_keras.cli", "app", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_interruptible)
    try:
        started = time.monotonic()
        line = process.stdout.readline()  # blocks until the server is up (or the process ends)
        seconds = time.monotonic() - started
        assert line.startswith("thermal-keras demo on http://127.0.0.1:"), (line, process.stderr.read())
        assert seconds < START_TIMEOUT
        url = line.split()[3]
        with urllib.request.urlopen(url + "api/info", timeout=30) as response:
            info = json.loads(response.read())
        assert set(info["tabs"]) == {"translate", "sr", "fusion"}
        process.send_signal(signal.SIGINT)
        try:
            out, err = process.communicate(timeout=STOP_TIMEOUT)  # reads both pipes, so no write can block
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            pytest.fail(f"still running {STOP_TIMEOUT} s after SIGINT; its stderr ends: {err[-2000:]!r}")
        assert process.returncode == 0, err
        assert "stopped" in out
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("argv, phrase", [(["--model", "no/such/export"], "--model no/such/export: no such file"),
                                          (["--port", "70000"], "--port 70000: needs 0..65535")])
def test_bad_options_stop_before_serving(argv, phrase, capsys):
    from thermal_keras.cli import main

    assert main(["app", *argv]) == 2
    assert phrase in capsys.readouterr().err


def test_help_names_the_options(capsys):
    from thermal_keras.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["app", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert all(flag in text for flag in ("--host", "--port", "--model", "127.0.0.1"))
