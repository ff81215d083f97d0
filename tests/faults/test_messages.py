"""A message names a file and its kind, never its content (issue 31).

A dataset frame may be a symbolic link to any file the user can read (``/etc/shadow`` was reported as
"(it starts 'root:*:20228:0:...')"). Each case links or writes a file holding a marker, runs the
command, and checks the one error line: exit status 2, the file named, its kind said, the marker absent,
and nothing written.
"""

from __future__ import annotations

import pytest
from bad_datasets import dataset, hr_dir
from test_input_faults_cli import PIX2PIX, SRGAN, assert_refused

from data_loaders.common import DatasetError
from data_loaders.images import probe_image

MARKER = "hunter2"
CONTENTS = {  # what a file named like an image may hold, and the kind the message must say
    "a password line": (f"root:$6${MARKER}:20228:0:99999:7:::\n", "text, not image data"),
    "an HTML page": (f"<!DOCTYPE html><html><title>{MARKER}</title></html>\n", "an HTML page, not image data"),
    "UTF-8 text cut in a character": ("a" + "é" * 20 + MARKER, "text, not image data"),
    "binary data": (bytes(range(1, 8)) + MARKER.encode() + bytes(range(200, 256)),
                    "binary data in no image format this reads"),
}


def _write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


@pytest.mark.parametrize("case", list(CONTENTS))
def test_probing_names_the_kind_never_the_content(case, tmp_path):
    content, kind = CONTENTS[case]
    bad = _write(tmp_path / "frame.png", content)
    with pytest.raises(DatasetError) as error:
        probe_image(bad)
    assert f"{bad}: not a readable image: {kind}" in str(error.value)
    assert MARKER not in str(error.value) and "root:" not in str(error.value)


@pytest.mark.parametrize("side", ["A", "B"])
def test_a_frame_linked_to_a_text_file_is_named_not_quoted(side, tmp_path, run_cli):
    root = dataset(tmp_path, n=6)
    secret = _write(tmp_path / "elsewhere" / "shadow", CONTENTS["a password line"][0])
    frame = root / f"train/{side}/1.png"
    frame.unlink()
    frame.symlink_to(secret)
    out = tmp_path / "run"
    outcome = run_cli([*PIX2PIX, "--data", root, "--output-dir", out], watch=tmp_path)
    line = assert_refused(outcome, out, [str(frame), "not a readable image: text, not image data"])
    assert MARKER not in outcome.err + outcome.out and "root:" not in line


def test_an_hr_image_linked_to_a_text_file_is_named_not_quoted(tmp_path, run_cli):
    root = hr_dir(tmp_path)
    secret = _write(tmp_path / "elsewhere" / "notes.txt", f"token={MARKER}\n")
    frame = root / "1.png"
    frame.unlink()
    frame.symlink_to(secret)
    out = tmp_path / "run"
    outcome = run_cli([*SRGAN, "--data", root, "--output-dir", out], watch=tmp_path)
    assert_refused(outcome, out, [str(frame), "text, not image data"])
    assert MARKER not in outcome.err + outcome.out


def test_a_bad_spec_in_dataset_json_is_not_quoted(tmp_path, run_cli):
    root = dataset(tmp_path, b16=True)
    (root / "dataset.json").write_text(f'{{"b": {{"channels": 1, "bit_depth": 12, "note": "{MARKER}"}}}}')
    out = tmp_path / "run"
    outcome = run_cli([*PIX2PIX, "--data", root, "--output-dir", out], watch=tmp_path)
    assert_refused(outcome, out, [str(root / "dataset.json"), "not an image spec"])
    assert MARKER not in outcome.err
