"""``thermal-keras app`` as a user starts it: a subprocess that serves the Gradio demo within seconds on a
free port, binds 127.0.0.1 by default, reaches nothing but loopback (an audit hook refuses, and records, any
other connection or name lookup) and stops on Ctrl-C; bad options are one-line errors before serving."""

import json
import signal
import subprocess
import sys
import time

import pytest

from tests.app.loopback import LOOPBACK_ONLY, RUN_CLI, interruptible

START_TIMEOUT = 90  # seconds until the demo prints its address (TensorFlow's and Gradio's imports are most of it)
STOP_TIMEOUT = 60  # seconds from Ctrl-C (SIGINT) to the process's exit, on 2 busy cores


def test_app_serves_gradio_on_loopback_only_and_stops_on_ctrl_c(tmp_path):
    import os

    from gradio_client import Client

    env = {**os.environ, "GRADIO_TEMP_DIR": str(tmp_path / "gradio"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("GRADIO_ANALYTICS_ENABLED", None)  # the command turns analytics off by itself
    process = subprocess.Popen([sys.executable, "-c", LOOPBACK_ONLY + RUN_CLI, "app", "--port", "0"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    try:
        started = time.monotonic()
        line = process.stdout.readline()  # blocks until the demo is up (or the process ends)
        seconds = time.monotonic() - started
        assert line.startswith("thermal-keras demo on http://127.0.0.1:"), (line, process.stderr.read())
        assert seconds < START_TIMEOUT
        url = line.split()[3]
        client = Client(url, verbose=False, download_files=str(tmp_path / "downloads"))
        api = client.view_api(print_info=False, return_format="dict")
        assert set(api["named_endpoints"]) == {"/translate", "/upscale", "/fuse"}
        import httpx

        config = httpx.get(url + "config", timeout=30).json()
        assert config["max_file_size"] == 16 * 2**20 and config["title"] == "thermal-keras demo"
        assert json.dumps(config).count("example-night-rgb.png") >= 2  # the examples of two tabs
        process.send_signal(signal.SIGINT)
        try:
            out, err = process.communicate(timeout=STOP_TIMEOUT)  # reads both pipes, so no write can block
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            pytest.fail(f"still running {STOP_TIMEOUT} s after SIGINT; its stderr ends: {err[-2000:]!r}")
        assert process.returncode == 0, err
        assert "stopped" in out and "public URL" not in out + err and "gradio.live" not in out + err
        assert "NOT LOOPBACK" not in err, err  # no analytics, version check, share tunnel or font from outside
        assert "note:" not in err  # loopback: no warning about other computers
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_share_is_asked_of_gradio_only_with_the_flag(tmp_path):
    """With ``--share`` Gradio asks its API server for a tunnel: the guard refuses that lookup (so the guard
    works, and the test sends nothing out), and the demo says it has no link and serves locally."""
    import os

    env = {**os.environ, "GRADIO_TEMP_DIR": str(tmp_path / "gradio"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen([sys.executable, "-c", LOOPBACK_ONLY + RUN_CLI, "app", "--port", "0", "--share"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=interruptible)
    try:
        lines = []
        while not (lines and lines[-1].startswith("thermal-keras demo on")) and process.poll() is None:
            lines.append(process.stdout.readline())
        assert lines and lines[-1].startswith("thermal-keras demo on http://127.0.0.1:"), (lines, process.stderr.read())
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=STOP_TIMEOUT)
        assert "NOT LOOPBACK: lookup of api.gradio.app" in err, err
        assert "note: no share link could be made" in err and "stopped" in out
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("argv, phrase", [
    (["--model", "no/such/export"], "--model no/such/export: no such file"),
    (["--port", "70000"], "--port 70000: needs 0..65535"),
    (["--host", "256.1.1.1"], "--host 256.1.1.1: not an IP address"),
    (["--host", "demo.example"], "--host demo.example: not an IP address"),  # no DNS lookup
    (["--host", "192.0.2.7"], "--host 192.0.2.7 is not an address of this computer"),  # TEST-NET-1: never ours
])
def test_bad_options_stop_before_serving(argv, phrase, capsys):
    from thermal_keras.cli import main

    assert main(["app", *argv]) == 2
    err = capsys.readouterr().err
    assert phrase in err and len(err.strip().splitlines()) == 1, err


def test_a_port_in_use_says_so(capsys):
    import socket

    from thermal_keras.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["app", "--port", str(port)]) == 2
    assert f"--port {port} is in use on 127.0.0.1; try another --port" in capsys.readouterr().err


def test_checked_address_knows_loopback():
    from thermal_keras.app.cli import checked_address

    host, port, loopback = checked_address("127.0.0.2", 0)  # all of 127/8 is this computer
    assert (host, loopback) == ("127.0.0.2", True) and 0 < port < 65536
    assert checked_address("localhost", 0)[::2] == ("127.0.0.1", True)
    assert checked_address("0.0.0.0", 0)[2] is False


def test_help_names_the_options(capsys):
    from thermal_keras.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["app", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert all(flag in text for flag in ("--host", "--port", "--share", "--model", "127.0.0.1"))
