"""``build_demo().launch()`` in a Jupyter kernel shows the demo inline: an iframe of the app, served on
loopback, that answers; ``demo.close()`` stops it. Run as a two-cell notebook through nbclient."""

import os
import re

import nbformat
import pytest
from nbclient import NotebookClient

LAUNCH = """\
from thermal_keras.app import build_demo

demo = build_demo()
demo.launch()
"""
CHECK_AND_CLOSE = """\
import httpx

print("answers", httpx.get(demo.local_url + "config", timeout=30).json()["title"])
demo.close()
"""


def test_launch_in_a_notebook_shows_the_demo_inline(tmp_path):
    from thermal_keras.app.cli import checked_address

    _, port, _ = checked_address("127.0.0.1", 0)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(LAUNCH),
                                               nbformat.v4.new_code_cell(CHECK_AND_CLOSE)])
    env = {"GRADIO_SERVER_PORT": str(port), "GRADIO_TEMP_DIR": str(tmp_path / "gradio"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        NotebookClient(notebook, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    shown = [output["data"]["text/html"] for output in notebook.cells[0].outputs
             if "text/html" in output.get("data", {})]
    if not shown:
        pytest.fail(f"no inline HTML; the cell's outputs: {notebook.cells[0].outputs}")
    assert re.search(rf'<iframe src="http://127\.0\.0\.1:{port}/"', shown[0]), shown[0]
    printed = "".join(output.get("text", "") for output in notebook.cells[1].outputs)
    assert "answers thermal-keras demo" in printed
