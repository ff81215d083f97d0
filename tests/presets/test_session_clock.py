"""``presets build`` keeps the training time of every session, a killed one included
(:class:`thermal_keras.presets.recipes.SessionClock`)."""

import time

from thermal_keras.presets.recipes import CPU_SECONDS_FILE, TRAIN_SECONDS_FILE, SessionClock, run_seconds

HEADER = "epoch,loss\n"


def log_epochs(run_dir, n):
    lines = "".join(f"{epoch},0.5\n" for epoch in range(n))
    (run_dir / "log.csv").write_text(HEADER + lines)


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_the_time_is_written_while_the_session_runs(tmp_path):
    with SessionClock(tmp_path, every=0.05):
        log_epochs(tmp_path, 1)
        time.sleep(0.2)
        # a session killed here (SIGKILL: no __exit__) has already written its time so far
        wait_for(lambda: (tmp_path / TRAIN_SECONDS_FILE).exists())
        assert (tmp_path / CPU_SECONDS_FILE).exists()
        assert run_seconds(tmp_path) >= 0.1
    assert run_seconds(tmp_path) >= 0.2


def test_a_resumed_session_adds_to_the_recorded_time(tmp_path):
    log_epochs(tmp_path, 3)
    (tmp_path / TRAIN_SECONDS_FILE).write_text("1000.0\n")
    (tmp_path / CPU_SECONDS_FILE).write_text("1500.0\n")
    with SessionClock(tmp_path, every=60):
        log_epochs(tmp_path, 4)
        time.sleep(0.2)
    assert 1000.2 <= run_seconds(tmp_path) < 1000 + 60
    assert run_seconds(tmp_path, CPU_SECONDS_FILE) >= 1500.0


def test_a_session_that_trains_nothing_writes_nothing(tmp_path):
    log_epochs(tmp_path, 2)
    with SessionClock(tmp_path, every=0.05):
        time.sleep(0.2)
    assert not (tmp_path / TRAIN_SECONDS_FILE).exists()
    assert not (tmp_path / CPU_SECONDS_FILE).exists()
