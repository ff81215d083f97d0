"""The demo under load, run as a Hugging Face Space runs it: docs/app.md's ``app.py`` in a subprocess (on
loopback, guarded by :mod:`tests.app.loopback`). Three rounds of 20 concurrent 15 MiB uploads: every
request is answered (a result, or the queue's "full" message), and the server's resident memory comes
back within 300 MB of its idle level afterwards (the old hand-written server grew to 3.5 GB and kept 3)."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.app.app_images import padded_png, read_picture
from tests.app.loopback import LOOPBACK_ONLY, interruptible

DOC = Path(__file__).resolve().parents[2] / "docs" / "app.md"
CONCURRENT, ROUNDS, UPLOAD_BYTES = 20, 3, 15 * 2**20
MEMORY_MARGIN = 300 * 2**20  # bytes of resident memory the rounds may leave behind
ROUND_TIMEOUT = 300  # seconds for one round's 20 requests to be answered (uploads, one model run at a time)


def space_app_source() -> str:
    """The ``app.py`` block of docs/app.md's Space recipe (the code block that starts with ``# app.py``)."""
    blocks = re.findall(r"```python\n(# app\.py.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 1, "docs/app.md needs exactly one ```python block starting with '# app.py'"
    return blocks[0]


def resident_bytes(pid: int) -> int:
    """VmRSS of a process (Linux /proc), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for process {pid}")


@pytest.fixture
def space(tmp_path):
    """docs/app.md's ``app.py`` serving on 127.0.0.1 and a free port, as a Space would (GRADIO_SERVER_* set)."""
    from thermal_keras.app.cli import checked_address

    app = tmp_path / "space" / "app.py"
    app.parent.mkdir()
    app.write_text(space_app_source())
    _, port, _ = checked_address("127.0.0.1", 0)
    env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
           "GRADIO_TEMP_DIR": str(tmp_path / "gradio"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("GRADIO_ANALYTICS_ENABLED", None)  # the demo turns analytics off by itself
    run_app = f"import runpy\nrunpy.run_path({str(app)!r}, run_name='__main__')\n"
    process = subprocess.Popen([sys.executable, "-c", LOOPBACK_ONLY + run_app], cwd=app.parent, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    try:
        line = ""
        while "Running on local URL" not in line and process.poll() is None:
            line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in line, (line, process.stderr.read() if process.poll() is not None else "")
        yield process, f"http://127.0.0.1:{port}/"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
        shutil.rmtree(tmp_path / "gradio", ignore_errors=True)  # the uploads: 300 MB
        assert "NOT LOOPBACK" not in err, err


@pytest.fixture
def large_uploads(tmp_path):
    """:data:`CONCURRENT` valid 64×64 PNGs of 15 MiB each (300 MB, deleted after the test). The photos
    differ, so no upload or result is a copy of another (gradio_client downloads equal results of
    concurrent jobs to one path, where one job can read the file while another writes it)."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    files = []
    for i in range(CONCURRENT):
        photo = np.random.default_rng(i).integers(0, 256, (64, 64, 3), dtype=np.uint8)
        path = folder / f"large-{i}.png"
        path.write_bytes(padded_png(photo, UPLOAD_BYTES, seed=i))
        files.append(path)
    yield files
    shutil.rmtree(folder)


@pytest.mark.slow  # about 55 s on 2 cores: `make test-slow`; tests/app/test_app_client.py keeps uploads in `make test`
def test_twenty_concurrent_large_uploads_three_times(space, large_uploads, tmp_path):
    from gradio_client import Client, handle_file
    from gradio_client.exceptions import AppError

    process, url = space
    files = large_uploads
    client = Client(url, verbose=False, download_files=str(tmp_path / "downloads"), httpx_kwargs={"timeout": 120})
    for path in files[:2]:  # the model loads and traces once; then the server is idle at its working size
        client.predict(handle_file(str(path)), "pix2pix_rgb2thermal_128", "inferno", api_name="/translate")
    time.sleep(2)
    idle = resident_bytes(process.pid)

    timings, peak = [], idle
    for round_number in range(ROUNDS):
        started = time.monotonic()
        jobs = [client.submit(handle_file(str(path)), "pix2pix_rgb2thermal_128", "inferno", api_name="/translate")
                for path in files]
        answered = refused = 0
        for job in jobs:
            try:
                _, thermal, *_ = job.result(timeout=ROUND_TIMEOUT)
                assert read_picture(thermal).shape == (64, 64, 3)
                answered += 1
            except AppError as error:  # the queue may refuse a request, with a message
                assert "queue" in str(error).lower(), str(error)
                refused += 1
            peak = max(peak, resident_bytes(process.pid))
        timings.append(time.monotonic() - started)
        assert answered + refused == CONCURRENT and answered >= 1, (round_number, answered, refused)
    time.sleep(3)
    after = resident_bytes(process.pid)
    print(f"\nidle {idle / 2**20:.0f} MiB, peak {peak / 2**20:.0f} MiB, after {after / 2**20:.0f} MiB; rounds "
          f"{', '.join(f'{t:.1f}' for t in timings)} s")
    assert after - idle < MEMORY_MARGIN, f"resident memory grew by {(after - idle) / 2**20:.0f} MiB under load"
    # still serving after the load
    _, thermal, *_ = client.predict(handle_file(str(files[0])), "pix2pix_rgb2thermal_128", "inferno",
                                    api_name="/translate")
    assert read_picture(thermal).shape == (64, 64, 3)
