"""One model registry and one demo server (on a free loopback port) shared by every test of the web demo,
so each preset loads once; the server is stopped when the session ends."""

import pytest


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
def server(registry):
    from thermal_keras.app.server import make_server, serve_in_thread

    demo = make_server(registry, "127.0.0.1", 0, quiet=True)
    thread = serve_in_thread(demo)
    yield demo
    demo.shutdown()
    demo.server_close()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the demo server did not stop"
