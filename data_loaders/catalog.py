"""Where the public datasets come from, under which terms, and how to get one into a folder.

:data:`DATASETS` holds one :class:`DatasetInfo` per dataset a loader in this package reads: its
official page, licence, approximate size, how access works (a direct link, a form, or a page to
download from) and the loader that reads the folder. Sizes are approximate, as the providers state
them; check the page before a large download.

:func:`prepare_data` is what a notebook's "Get the data" cell calls: it returns the folder to read,
downloading a small subset through Keras' cache (``keras.utils.get_file``) when asked to and a direct
link exists, and otherwise falls back to the built-in synthetic set with a one-sentence reason.
Nothing here downloads unless ``download=True``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from data_loaders.common import DatasetError


@dataclass(frozen=True)
class DatasetInfo:
    """One public dataset.

    ``access`` is ``"direct"`` (``download_urls`` fetch without a login), ``"form"`` (the provider asks
    for a registration form first), ``"page"`` (download by hand from ``page``) or ``"git"`` (``page``
    is a public repository: ``git clone`` it). ``download_urls``
    are archives in order; a subset of ``n`` takes the first ``n``.
    """

    name: str
    title: str
    page: str
    licence: str
    size: str
    access: str
    loader: str
    cite: str
    download_urls: tuple = field(default=())
    notes: str = ""


DATASETS = {
    "flir_v1": DatasetInfo(
        name="flir_v1", title="FLIR ADAS (v1)", page="https://www.flir.com/oem/adas/adas-dataset-form/",
        licence="Teledyne FLIR's free ADAS dataset terms (accepted on the form); no redistribution",
        size="about 14,000 thermal frames with RGB, 8-bit and 16-bit thermal; several GB",
        access="form", loader="data_loaders.flir_v1.flir_v1",
        cite="Teledyne FLIR, FREE Thermal Dataset for Algorithm Training (ADAS), 2018-2019",
        notes="RGB and thermal come from different cameras: not pixel-aligned (use CycleGAN, or crop)."),
    "flir_v2": DatasetInfo(
        name="flir_v2", title="FLIR ADAS (v2)", page="https://www.flir.com/oem/adas/adas-dataset-form/",
        licence="Teledyne FLIR's free ADAS dataset terms (accepted on the form); no redistribution",
        size="about 26,000 annotated thermal and RGB frames plus a video test set; about 16 GB",
        access="form", loader="data_loaders.flir_v2.flir_v2",
        cite="Teledyne FLIR, FREE Teledyne FLIR Thermal Dataset for Algorithm Training (v2), 2022",
        notes="Only the video test frames listed in rgb_to_thermal_vid_map.json pair up."),
    "llvip": DatasetInfo(
        name="llvip", title="LLVIP", page="https://bupt-ai-cz.github.io/LLVIP/",
        licence="free for non-commercial research, teaching and personal use; cite LLVIP",
        size="15,488 registered visible/infrared pairs at 1280×1024, mostly at night; a few GB",
        access="page", loader="data_loaders.llvip.llvip",
        cite="Jia et al., LLVIP: A Visible-infrared Paired Dataset for Low-light Vision, ICCV Workshops 2021",
        notes="The page links the archive on Google Drive and Baidu; on Colab, copy it to Drive once."),
    "kaist": DatasetInfo(
        name="kaist", title="KAIST Multispectral Pedestrian", page="https://github.com/SoonminHwang/rgbt-ped-detection",
        licence="CC BY-NC-SA 4.0 (non-commercial, share alike)",
        size="95,000 registered colour/LWIR frame pairs at 640×512 from 12 video sets; tens of GB",
        access="page", loader="data_loaders.kaist.kaist",
        cite="Hwang et al., Multispectral Pedestrian Detection: Benchmark Dataset and Baseline, CVPR 2015",
        notes="Download one set (e.g. set00) for a first try: the loader reads any subset of sets."),
    "nih_chestxray": DatasetInfo(
        name="nih_chestxray", title="NIH ChestX-ray14", page="https://nihcc.app.box.com/v/ChestXray-NIHCC",
        licence="NIH Clinical Center: free to use with acknowledgement of the NIH Clinical Center and "
                "citation of the paper; no redistribution here",
        size="112,120 frontal chest X-rays, 1024×1024 8-bit PNG, 12 archives, about 42 GB",
        access="direct", loader="data_loaders.nih_chestxray.nih_chestxray",
        cite="Wang et al., ChestX-ray8: Hospital-scale Chest X-ray Database and Benchmarks, CVPR 2017",
        download_urls=("https://nihcc.box.com/shared/static/vfk49d74nhbxq3nqjg0900w5nvkorp5c.gz",),
        notes="The first archive (images_001, about 5,000 images, a few GB) is a good subset."),
    "roadscene": DatasetInfo(
        name="roadscene", title="RoadScene", page="https://github.com/hanna-xu/RoadScene",
        licence="derived from FLIR ADAS (free for research and non-commercial use); the repository states no "
                "other licence: research use, cite it, do not redistribute or ship weights trained on it",
        size="221 registered RGB / long-wave infrared driving frames (FLIR ADAS, day and night), about 66 MB",
        access="git", loader="data_loaders.roadscene.roadscene",
        cite="Xu et al., FusionDN, AAAI 2020; Xu et al., U2Fusion, IEEE TPAMI 2020",
        notes="git clone https://github.com/hanna-xu/RoadScene (works on Colab), then DATA_DIR to the clone; "
              "--layout roadscene holds out whole runs of consecutive frames."),
    "tno": DatasetInfo(
        name="tno", title="TNO Image Fusion Dataset", page="https://doi.org/10.6084/m9.figshare.1008029",
        licence="free for research use and publications, crediting TNO (Soesterberg, NL) and citing the "
                "figshare dataset",
        size="about 60 registered visible (or intensified) / long-wave infrared pairs; under 1 GB",
        access="page", loader="data_loaders.tno.tno",
        cite="Toet, A. (2014). TNO Image Fusion Dataset. figshare. doi:10.6084/m9.figshare.1008029",
        notes="Use it to evaluate fusion and thermal super-resolution on real images."),
}


def dataset_info(name: str) -> DatasetInfo:
    """The :class:`DatasetInfo` of ``name``; an unknown name raises ``ValueError`` listing the known ones."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(sorted(DATASETS))}")
    return DATASETS[name]


def describe_dataset(name: str) -> str:
    """A few lines for a notebook: title, page, licence, size, how to get it and the loader."""
    info = dataset_info(name)
    how = {"direct": "direct download (set DOWNLOAD = True)", "form": "free, after a registration form",
           "page": "download from the page", "git": f"git clone {info.page}"}[info.access]
    return "\n".join([f"{info.title}: {info.page}", f"  licence: {info.licence}", f"  size:    {info.size}",
                      f"  access:  {how}", f"  loader:  {info.loader}", f"  cite:    {info.cite}"])


@dataclass(frozen=True)
class DataChoice:
    """What :func:`prepare_data` decided: ``path`` to read (``None`` means the synthetic set), the
    ``dataset`` name it holds (``"synthetic"`` on fallback) and a one-sentence ``message``."""

    path: Path | None
    dataset: str
    message: str

    @property
    def synthetic(self) -> bool:
        return self.path is None


def prepare_data(name: str, data_dir=None, download: bool = False, subset: int = 1, cache_dir=None) -> DataChoice:
    """The folder of dataset ``name`` to train or evaluate on, or the synthetic fallback.

    * ``data_dir`` given: it must be an existing folder (else :class:`DatasetError` naming it); it is
      used as is (the dataset's loader checks its layout).
    * ``download=True`` and a direct link exists: the first ``subset`` archives are fetched and
      extracted through ``keras.utils.get_file`` into ``cache_dir`` (Keras' cache, ``~/.keras/datasets``,
      by default; a second call finds them there). A failed download (offline) falls back.
    * ``download=True`` and a public repository (``access="git"``, RoadScene): ``git clone --depth 1``
      into ``cache_dir/<name>`` (Keras' cache by default), under a temporary name renamed when complete;
      a second call finds the clone. A failed clone (offline, no git) falls back.
    * otherwise: the synthetic set, with a sentence saying why and how to use the real data.
    """
    info = dataset_info(name)
    if data_dir is not None:
        path = Path(data_dir).expanduser()
        if not path.is_dir():
            raise DatasetError(f"{path}: DATA_DIR is not a folder; point it at your copy of {info.title} "
                               f"(see {info.page})")
        return DataChoice(path, name, f"Reading {info.title} from {path}.")
    if not download:
        return DataChoice(None, "synthetic", f"No DATA_DIR given: this run uses the built-in synthetic set "
                                             f"instead of {info.title} ({_how_to_get(info)}).")
    if info.access == "git":
        return _clone(info, cache_dir)
    if info.access != "direct":
        return DataChoice(None, "synthetic", f"{info.title} has no direct download link, so this run uses the "
                                             f"built-in synthetic set ({_how_to_get(info)}).")
    if subset < 1:
        raise ValueError(f"subset must be at least 1 archive, got {subset}")
    import keras

    if cache_dir is not None:  # Keras falls back to /tmp/.keras for a folder that does not exist yet
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
    folder = None
    try:
        for number, url in enumerate(info.download_urls[:subset], start=1):
            # Extracted to <cache>/<name>/images_001_extracted/...: the loaders glob `images_*`.
            extracted = keras.utils.get_file(f"images_{number:03d}.tar.gz", url, extract=True, cache_dir=cache_dir,
                                             cache_subdir=name)
            folder = Path(extracted).parent
    except Exception as error:  # urllib raises several types offline; Keras wraps some in its own
        reason = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        return DataChoice(None, "synthetic", f"Downloading {info.title} failed ({reason}), so this run uses the "
                                             f"built-in synthetic set.")
    return DataChoice(folder, name, f"Downloaded {min(subset, len(info.download_urls))} archive(s) of "
                                    f"{info.title} to {folder}.")


def _clone(info: DatasetInfo, cache_dir=None) -> DataChoice:
    """``git clone --depth 1`` of ``info.page`` into ``cache_dir/<name>`` (default: Keras' cache,
    ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``), or the clone found there; the synthetic fallback
    with one sentence when git is missing or the clone fails. Nothing half-cloned is left."""
    import os
    import shutil
    import subprocess
    import tempfile

    root = Path(cache_dir) if cache_dir is not None else (
        Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser() / "datasets")
    target = root / info.name
    if target.is_dir() and any(target.iterdir()):
        return DataChoice(target, info.name, f"Reading {info.title} from {target} (cloned before).")
    if shutil.which("git") is None:
        return DataChoice(None, "synthetic", f"git is not installed, so this run uses the built-in synthetic set "
                                             f"instead of {info.title} ({_how_to_get(info)}).")
    root.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".tmp-{info.name}-", dir=root))  # this call's own folder
    try:
        result = subprocess.run(["git", "clone", "--depth", "1", "--quiet", info.page, str(partial)],
                                capture_output=True, text=True, timeout=900,
                                env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})  # never wait for a password
    except subprocess.TimeoutExpired:
        result = None
    if result is None or result.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        lines = result.stderr.strip().splitlines() if result is not None else []
        reason = lines[-1][:160] if lines else "no answer within 15 minutes" if result is None else "git failed"
        return DataChoice(None, "synthetic", f"Cloning {info.title} failed ({reason}), so this run uses the "
                                             f"built-in synthetic set.")
    partial.rename(target)
    return DataChoice(target, info.name, f"Cloned {info.title} from {info.page} to {target}.")


def _how_to_get(info: DatasetInfo) -> str:
    if info.access == "direct":
        return f"set DOWNLOAD = True to fetch a subset, or DATA_DIR to your copy from {info.page}"
    if info.access == "form":
        return f"request it through the form at {info.page}, then set DATA_DIR"
    if info.access == "git":
        return f"git clone {info.page}, then set DATA_DIR to the clone"
    return f"download it from {info.page}, then set DATA_DIR"
