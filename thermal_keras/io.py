"""Files: every name that ``thermal_keras.io`` has always given, re-exported from the module that
does the job (import from either; users, docs and notebooks use this one).

- :mod:`data_loaders.files`: atomic writes (temporary name in the same folder, renamed when
  complete), the cleanup of interrupted writes, the image suffixes the package reads;
- :mod:`thermal_keras.image_io`: listing a folder's images, reading 8-bit files, writing PNGs;
- :func:`data_loaders.images.read_image_values`: any 8- or 16-bit file's stored values;
- :mod:`thermal_keras.luma`: BT.601 luma;
- :mod:`thermal_keras.reports`: score reports as strict JSON;
- :mod:`thermal_keras.outputs`: where a command may write (docs/cli.md), :func:`save_to_folder`.

Nothing here imports TensorFlow at import time.
"""

from data_loaders.files import (
    IMAGE_SUFFIXES,
    TEMP_PREFIX,
    atomic_dir,
    atomic_path,
    atomic_write_bytes,
    atomic_write_text,
    remove_stale_temporaries,
)
from data_loaders.images import read_image_values
from thermal_keras.image_io import (
    encode_png_16,
    list_images,
    read_rgb_u8,
    read_unit_image,
    save_png,
    save_png_exact,
)
from thermal_keras.luma import LUMA_BT601, luma
from thermal_keras.outputs import (
    OVERWRITE_HINT,
    check_output_files,
    check_output_folder,
    check_writable_location,
    is_saved_model,
    is_within,
    same_path,
    save_to_folder,
)
from thermal_keras.reports import NON_FINITE_KEY, report_json, write_report_json

__all__ = [
    "IMAGE_SUFFIXES", "LUMA_BT601", "NON_FINITE_KEY", "OVERWRITE_HINT", "TEMP_PREFIX", "atomic_dir",
    "atomic_path", "atomic_write_bytes", "atomic_write_text", "check_output_files", "check_output_folder",
    "check_writable_location", "encode_png_16", "is_saved_model", "is_within", "list_images", "luma",
    "read_image_values", "read_rgb_u8", "read_unit_image", "remove_stale_temporaries", "report_json",
    "same_path", "save_png", "save_png_exact", "save_to_folder", "write_report_json",
]
