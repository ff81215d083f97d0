"""LLVIP (Jia et al., ICCV Workshops 2021): registered visible/infrared pairs, mostly at night.

Layout: ``<root>/visible/{train,test}/NNNNNN.jpg`` (3-channel colour JPEG) and
``<root>/infrared/{train,test}/NNNNNN.jpg`` (LWIR, 8-bit grey stored in 3 identical channels),
1280x1024, pixel-registered, pairs share a file name.
"""

from __future__ import annotations

from data_loaders.common import RGB_SPEC, ImageSpec, PairedFiles, pair_by_stem, require_dir

# The infrared JPEGs hold grey in three channels; inside the model thermal has one channel.
LLVIP_INFRARED_SPEC = ImageSpec(channels=1, bit_depth=8)


def llvip(root, split: str = "train", on_unpaired: str = "error") -> PairedFiles:
    """Visible (A, RGB) / infrared (B, 1-channel 8-bit) pairs of one LLVIP split.

    Args:
        root: the LLVIP folder holding ``visible/`` and ``infrared/``.
        split: ``"train"`` or ``"test"`` (any folder name present under both sides works).
        on_unpaired: ``"error"`` (default) or ``"skip"`` frames present on one side only.

    Returns:
        Aligned :class:`PairedFiles`, sorted by file name.
    """
    root = require_dir(root, "LLVIP folder")
    visible = require_dir(root / "visible" / split, "LLVIP visible folder")
    infrared = require_dir(root / "infrared" / split, "LLVIP infrared folder")
    a_paths, b_paths = pair_by_stem(visible, infrared, a_extensions=(".jpg", ".jpeg"),
                                    b_extensions=(".jpg", ".jpeg"), on_unpaired=on_unpaired,
                                    source=f"llvip({root}, {split})")
    return PairedFiles(a_paths=tuple(a_paths), b_paths=tuple(b_paths), a_spec=RGB_SPEC,
                       b_spec=LLVIP_INFRARED_SPEC, source=f"llvip:{split}", aligned=True,
                       extras={"root": str(root), "split": split})
