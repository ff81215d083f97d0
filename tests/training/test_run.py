"""The shared training job's helpers: what a resumed run says about its config."""

import json
import logging

from thermal_keras.pix2pix.config import Pix2PixConfig
from thermal_keras.training.run import write_config


def test_resuming_with_changed_options_logs_a_warning_naming_them(tmp_path, caplog, capsys):
    write_config(tmp_path, Pix2PixConfig(epochs=3), resumed=False)
    with caplog.at_level(logging.WARNING, logger="thermal_keras.training.run"):
        write_config(tmp_path, Pix2PixConfig(epochs=3), resumed=True)
        assert caplog.records == []
        write_config(tmp_path, Pix2PixConfig(epochs=5), resumed=True)
    [record] = caplog.records
    assert record.levelname == "WARNING" and record.name == "thermal_keras.training.run"
    assert record.getMessage() == f"warning: resuming {tmp_path} with changed options (was, now): {{'epochs': (3, 5)}}"
    assert capsys.readouterr().out == ""  # a warning, not program output
    assert json.loads((tmp_path / "config.json").read_text())["epochs"] == 5
