"""Writing small fixture images for the data tests (PNG/JPEG through PIL, TIFF through tifffile)."""

import tifffile
from PIL import Image


def save(path, array, **kwargs) -> str:
    """Write ``array`` to ``path`` (parents created); returns the path as a string."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix in (".tif", ".tiff"):
        tifffile.imwrite(path, array)
    else:
        Image.fromarray(array).save(path, **kwargs)
    return str(path)
