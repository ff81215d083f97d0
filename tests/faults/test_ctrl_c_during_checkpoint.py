"""Ctrl-C while a checkpoint is being written (issue 31: an interrupted run "once left .tmp-latest
behind"). The end-to-end test in ``test_stops.py`` sends Ctrl-C at whatever point training has reached;
this one sends it at the exact moment the ``latest`` pointer is renamed into place, the window that
left the temporary behind, and checks that inside :func:`stop_at_step` the write is finished first.
A control sends the same signal without ``stop_at_step`` and must leave the temporary behind, so the
test can tell the two apart.
"""

from __future__ import annotations

import json
import os
import signal
import types

import keras
import numpy as np
import pytest

from thermal_keras.training.checkpoint import TEMPORARY_PREFIX, TrainingCheckpoint
from thermal_keras.training.interrupt import TrainingInterrupted, stop_at_step


@pytest.fixture
def python_ctrl_c_handler():
    """Python's own Ctrl-C handler, as in a terminal (a background test runner may ignore SIGINT)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture
def ctrl_c_at_pointer_rename(monkeypatch):
    """Sends SIGINT to this process just before the ``latest`` pointer's temporary is renamed."""
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if os.path.basename(os.fspath(src)).startswith(f"{TEMPORARY_PREFIX}latest"):
            os.kill(os.getpid(), signal.SIGINT)
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def _checkpoint(directory):
    weights = types.SimpleNamespace(variables=[keras.Variable(np.arange(6.0), name="w")])
    return TrainingCheckpoint(directory, {"model": weights})


def _temporaries(directory):
    return sorted(name for name in os.listdir(directory) if name.startswith(TEMPORARY_PREFIX))


def test_ctrl_c_during_the_pointer_write_finishes_the_checkpoint(tmp_path, python_ctrl_c_handler,
                                                                   ctrl_c_at_pointer_rename):
    checkpoints = _checkpoint(tmp_path)
    try:
        with stop_at_step():
            checkpoints.save(epoch=1)  # the interrupt arrives inside; it is raised on leaving the block
    except TrainingInterrupted:
        pass
    except KeyboardInterrupt:  # escaping, it would stop the whole pytest session
        pytest.fail(f"Ctrl-C broke into the checkpoint write (left: {_temporaries(tmp_path)})")
    else:
        pytest.fail("stop_at_step() raised nothing for a Ctrl-C that came inside it")
    assert _temporaries(tmp_path) == []
    assert json.loads((tmp_path / "latest").read_text()) == {"checkpoint": "ckpt-000001"}  # the pointer itself
    assert os.path.basename(checkpoints.latest_path()) == "ckpt-000001"


def test_control_without_stop_at_step_the_same_ctrl_c_leaves_the_temporary(tmp_path, python_ctrl_c_handler,
                                                                           ctrl_c_at_pointer_rename):
    checkpoints = _checkpoint(tmp_path)
    with pytest.raises(KeyboardInterrupt) as stopped:
        checkpoints.save(epoch=1)
    assert not isinstance(stopped.value, TrainingInterrupted)
    assert [name.split("-")[1] for name in _temporaries(tmp_path)] == ["latest"]
    assert not (tmp_path / "latest").exists()
