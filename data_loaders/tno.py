"""TNO-style visible/infrared fusion pairs (Toet, TNO Image Fusion Dataset, and its common repacks).

Two layouts are read, both pixel-registered grey images (BMP, PNG, JPEG or TIFF):

* two folders of same-named files, as the fusion repositories repack TNO: ``<root>/ir/1.bmp`` with
  ``<root>/vi/1.bmp`` (folder names: see ``IR_FOLDERS`` / ``VISIBLE_FOLDERS``, any case, or pass them);
* the original release's scene folders, each holding one infrared and one visible file whose names
  start with ``IR`` and ``VIS`` (``<root>/Kaptein_1123/IR_1123.bmp`` with ``VIS_1123.bmp``).

A is the visible side (RGB spec: grey files are tiled to three channels on load, the luma is the
grey again), B the infrared side (one 8-bit channel), as in :mod:`data_loaders.llvip`.
"""

from __future__ import annotations

from pathlib import Path

from data_loaders.common import (
    RGB_SPEC,
    DatasetError,
    ImageSpec,
    PairedFiles,
    list_images,
    pair_by_stem,
    require_dir,
)

TNO_EXTENSIONS = (".bmp", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
TNO_INFRARED_SPEC = ImageSpec(channels=1, bit_depth=8)
IR_FOLDERS = ("ir", "infrared", "inf", "lwir", "test_ir", "train_ir")
VISIBLE_FOLDERS = ("vi", "vis", "visible", "test_vi", "train_vi")


def _find_folder(root: Path, names) -> Path | None:
    by_lower = {p.name.lower(): p for p in root.iterdir() if p.is_dir()}
    return next((by_lower[n] for n in names if n in by_lower), None)


def _scene_pairs(root: Path) -> tuple[list[str], list[str]]:
    """(visible, infrared) paths from scene folders holding one ``IR*`` and one ``VIS*`` image."""
    visible, infrared = [], []
    for scene in sorted(p for p in root.iterdir() if p.is_dir()):
        files = [p for p in scene.iterdir() if p.is_file() and p.suffix.lower() in TNO_EXTENSIONS]
        ir = [p for p in files if p.name.upper().startswith("IR")]
        vis = [p for p in files if p.name.upper().startswith("VIS")]
        if not ir and not vis:
            continue  # not a scene folder
        if len(ir) != 1 or len(vis) != 1:
            raise DatasetError(f"{scene}: a TNO scene folder needs one IR* and one VIS* image, "
                               f"found {len(ir)} and {len(vis)}")
        infrared.append(str(ir[0]))
        visible.append(str(vis[0]))
    return visible, infrared


def tno(root, ir_dir: str | None = None, visible_dir: str | None = None,
        on_unpaired: str = "error") -> PairedFiles:
    """Visible (A) / infrared (B) pairs of a TNO-style folder.

    Args:
        root: the dataset folder.
        ir_dir, visible_dir: subfolder names of the two-folder layout; by default the first of
            ``IR_FOLDERS`` / ``VISIBLE_FOLDERS`` present (any case), else the scene-folder layout.
        on_unpaired: ``"error"`` or ``"skip"`` files without a partner (two-folder layout).

    Returns:
        Aligned :class:`PairedFiles` sorted by name (two folders) or by scene.
    """
    root = require_dir(root, "TNO folder")
    ir_folder = root / ir_dir if ir_dir else _find_folder(root, IR_FOLDERS)
    visible_folder = root / visible_dir if visible_dir else _find_folder(root, VISIBLE_FOLDERS)
    if ir_folder is not None and visible_folder is not None:
        list_images(ir_folder, TNO_EXTENSIONS, "TNO infrared folder")  # clear error if empty
        visible, infrared = pair_by_stem(require_dir(visible_folder, "TNO visible folder"),
                                         require_dir(ir_folder, "TNO infrared folder"),
                                         a_extensions=TNO_EXTENSIONS, b_extensions=TNO_EXTENSIONS,
                                         on_unpaired=on_unpaired, source=f"tno({root})")
        layout = "folders"
    else:
        visible, infrared = _scene_pairs(root)
        layout = "scenes"
        if not visible:
            raise DatasetError(f"{root}: no TNO layout found: expected infrared/visible subfolders "
                               f"(e.g. {IR_FOLDERS[0]}/ and {VISIBLE_FOLDERS[0]}/) or scene folders "
                               "with IR* and VIS* images")
    return PairedFiles(a_paths=tuple(visible), b_paths=tuple(infrared), a_spec=RGB_SPEC,
                       b_spec=TNO_INFRARED_SPEC, source=f"tno:{layout}", aligned=True,
                       extras={"root": str(root), "layout": layout})
