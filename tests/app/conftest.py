"""One model registry and one launched Gradio demo (on a free loopback port) shared by the web demo's tests,
so each preset loads once; a ``gradio_client`` talks to it. Gradio's analytics are off for the whole run
(``GRADIO_ANALYTICS_ENABLED=False``, read by the server and by ``gradio_client``): nothing here leaves
this computer. The demo is closed when the session ends."""

import os

import pytest

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no telemetry, no version check
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


@pytest.fixture(scope="session")
def broken_model_dir(tmp_path_factory):
    """A folder given as ``--model`` that holds no model: the demo lists it and must fail cleanly on it."""
    folder = tmp_path_factory.mktemp("not_a_model")
    (folder / "notes.txt").write_text("no model here\n")
    return folder


@pytest.fixture(scope="session")
def registry(broken_model_dir):
    from thermal_keras.app.models import ModelRegistry

    return ModelRegistry(user_models=[broken_model_dir])


@pytest.fixture(scope="session")
def demo(registry, tmp_path_factory):
    """The demo as ``thermal-keras app`` builds it, launched on 127.0.0.1 and a free port."""
    from thermal_keras.app import build_demo
    from thermal_keras.app.cli import checked_address

    app = build_demo(registry, examples_folder=tmp_path_factory.mktemp("examples"))
    host, port, _ = checked_address("127.0.0.1", 0)
    app.launch(server_name=host, server_port=port, prevent_thread_lock=True, quiet=True)
    yield app
    app.close()


@pytest.fixture(scope="session")
def client(demo, tmp_path_factory):
    from gradio_client import Client

    return Client(demo.local_url, verbose=False, download_files=str(tmp_path_factory.mktemp("client_downloads")),
                  httpx_kwargs={"timeout": 120})  # seconds: a loaded 2-core machine can be slow


@pytest.fixture
def upload(tmp_path):
    """``upload(bytes, name)``: the bytes as a file in ``tmp_path``, wrapped for ``gradio_client``."""
    from gradio_client import handle_file

    def make(data: bytes, name: str = "image.png"):
        path = tmp_path / name
        path.write_bytes(data)
        return handle_file(str(path))

    return make
