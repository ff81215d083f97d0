"""The public API: every name the README, docs/, the notebooks and the issues gave users still imports
from where they were given it.

``PUBLIC_NAMES`` is the committed list (collected from README.md, docs/*.md, notebooks/*.ipynb and the
issues' "Public API" sections): a move that drops one of them fails here even after the docs change.
The second test reads the docs again at test time, so an import a new page or notebook shows is
checked too. Internal module paths may change (docs/layout.md lists the old ones); these names stay,
a re-export being enough.
"""

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PUBLIC_NAMES = {
    # The package facade and the modules that README, docs and notebooks import from it.
    "thermal_keras": ["__version__", "features", "figures", "metrics", "presets", "visualize"],
    "thermal_keras.models": [  # issues 2, 4, 5, 6 and 12; docs/*.md, notebooks 02-04 and 06
        "CycleGAN", "FusionGAN", "ImagePool", "Pix2Pix", "SRGAN", "build_discriminator", "build_generator",
        "generator_size_multiple", "patchgan_geometry", "patchgan_layer_specs", "patchgan_receptive_field",
        "receptive_radius_lr"],
    "thermal_keras.metrics": [  # issue 2: mse..uqi; issue 5: psnr_y, ssim_y; issue 6 and docs/evaluation.md
        "distribution", "distribution_scores", "fid", "frechet_distance", "fusion", "kid", "mse", "psnr",
        "psnr_y", "rmse", "ssim", "ssim_y", "uqi"],
    "thermal_keras.metrics.distribution": [  # notebook 05
        "frechet_distance", "frechet_distance_low_rank", "inception_extractor", "inception_features",
        "kid_from_features"],
    "thermal_keras.metrics.fusion": [  # issue 6, docs/fusion.md, notebook 06
        "METRIC_NAMES", "all_metrics", "average_gradient", "entropy", "mutual_information", "qabf", "scd",
        "spatial_frequency", "ssim_sum", "std", "vif"],
    "thermal_keras.presets": [  # README, docs/presets.md, notebooks
        "evaluate_preset", "format_preset_report", "from_preset", "list_presets", "load_preset", "preset_path"],
    "thermal_keras.data": ["emsn_normalize", "pipeline", "sources"],  # emsn_normalize: issue 4
    "thermal_keras.data.pipeline": [  # docs/data.md, docs/cyclegan.md, notebooks 01-03
        "decode_file_values", "decode_values_now", "emsn_normalize", "eval_dataset", "load_image",
        "paired_dataset", "to_celsius", "to_file_values"],
    "thermal_keras.data.sources": ["train_and_eval_pairs"],
    "thermal_keras.pix2pix": ["Pix2PixConfig", "evaluate", "train_pix2pix"],  # README, docs/pix2pix.md
    "thermal_keras.pix2pix.config": ["Pix2PixConfig"],
    "thermal_keras.pix2pix.train": ["build_pix2pix", "compile_pix2pix", "train_pix2pix"],
    "thermal_keras.pix2pix.evaluate": ["evaluate_translation", "format_report"],
    "thermal_keras.cyclegan.config": ["CycleGANConfig"],
    "thermal_keras.cyclegan.data": ["unpaired_dataset"],
    "thermal_keras.cyclegan.losses": ["PerceptualCycleLoss", "SelfSimilarityLoss"],
    "thermal_keras.cyclegan.train": ["build_cyclegan", "train_cyclegan"],
    "thermal_keras.sr.config": ["SRGANConfig"],
    "thermal_keras.sr.data": ["downscale_bicubic", "sr_dataset", "upscale_bicubic"],
    "thermal_keras.sr.evaluate": ["evaluate_against_bicubic", "format_sr_report"],
    "thermal_keras.sr.inference": ["Upscaler", "default_overlap", "export_sr_saved_model", "upscale_array"],
    "thermal_keras.sr.train": ["train_srgan"],
    "thermal_keras.fusion": ["baselines"],
    "thermal_keras.fusion.baselines": ["BASELINES", "laplacian_pyramid", "reconstruct_pyramid", "rgb_to_ycbcr"],
    "thermal_keras.fusion.config": ["FusionGANConfig"],
    "thermal_keras.fusion.data": ["fusion_pairs", "read_pair"],
    "thermal_keras.fusion.evaluate": ["format_fusion_table", "fusers", "fusion_table"],
    "thermal_keras.fusion.train": ["build_fusiongan", "train_fusiongan"],
    "thermal_keras.config": ["RunConfig"],  # docs/cli.md
    "thermal_keras.gan": ["GANModel"],  # docs/pix2pix.md
    "thermal_keras.training": ["CheckpointCallback", "LinearDecay", "SampleGridCallback", "TrainingCheckpoint"],
    "thermal_keras.training.run": ["TrainedRun"],
    "thermal_keras.distribute": ["MultiWorkerFitMixin", "make_strategy"],  # docs/training.md
    "thermal_keras.precision": ["choose_precision", "device_summary", "has_gpu"],
    "thermal_keras.export": ["ThermalTranslator", "export_saved_model", "save_keras"],
    "thermal_keras.deploy": ["contract_for", "export_generator", "load_runner"],  # docs/export.md
    "thermal_keras.deploy.backends": ["load_generator", "run_generator"],
    "thermal_keras.features": ["MissingWeightsError", "PresetEncoder", "preprocess", "resolve_weights"],
    "thermal_keras.figures": ["fusion_figure", "sample_grid_figure", "super_resolution_figure", "translation_figure"],
    "thermal_keras.visualize": ["colorize_thermal", "to_uint8_rgb"],
    "thermal_keras.io": [  # docs, notebooks 00-06; every name io.py had before it was split by job
        "IMAGE_SUFFIXES", "LUMA_BT601", "NON_FINITE_KEY", "OVERWRITE_HINT", "TEMP_PREFIX", "atomic_dir",
        "atomic_path", "atomic_write_bytes", "atomic_write_text", "check_output_files", "check_output_folder",
        "check_writable_location", "encode_png_16", "is_saved_model", "is_within", "list_images", "luma",
        "read_image_values", "read_rgb_u8", "read_unit_image", "remove_stale_temporaries", "report_json",
        "same_path", "save_png", "save_png_exact", "save_to_folder", "write_report_json"],
    "thermal_keras.layers": ["MeanLevel", "trainable_param_count"],
    "thermal_keras.losses": ["gan_loss", "l1_loss"],
    "thermal_keras.cli": ["main"],
    # The dataset loaders (issue 2: synthetic.generate_pairs; docs/data.md; notebooks).
    "data_loaders": ["DatasetError", "ImageSpec", "catalog", "physics", "synthetic"],
    "data_loaders.catalog": ["DATASETS", "describe_dataset", "prepare_data"],
    "data_loaders.common": ["ImageSpec", "load_target_spec", "save_dataset_spec"],
    "data_loaders.images": ["read_image", "read_image_values"],
    "data_loaders.paired": ["paired_folder"],
    "data_loaders.llvip": ["llvip"],
    "data_loaders.flir_v1": ["flir_v1"],
    "data_loaders.flir_v2": ["MAP_FILE", "flir_v2", "flir_v2_unpaired"],
    "data_loaders.kaist": ["kaist"],
    "data_loaders.hr_folder": ["hr_folder"],
    "data_loaders.nih_chestxray": ["nih_chestxray"],
    "data_loaders.physics": ["EMISSIVITY", "apparent_temperature", "band_radiance", "counts_to_celsius"],
    "data_loaders.scene": ["MATERIALS"],
    "data_loaders.synthetic": ["LAYOUTS", "generate_pairs", "write_dataset"],
}

# "from thermal_keras.x import a, b as c" or "from data_loaders import (a,\n b)", in code or inline code.
_FROM_IMPORT = re.compile(
    r"(?<![\w.])from\s+((?:thermal_keras|data_loaders)(?:\.\w+)*)\s+import\s+(\([^)]*\)|[^\n`#;]*)")


def _import(module: str, name: str):
    """What ``from module import name`` gives a user (a name, or a submodule of a package)."""
    namespace = {}
    exec(f"from {module} import {name}", namespace)  # the statement exactly as users write it
    return namespace[name]


@pytest.mark.parametrize("module, name", [(m, n) for m, names in PUBLIC_NAMES.items() for n in names])
def test_a_public_name_imports_from_where_users_were_given_it(module, name):
    assert _import(module, name) is not None


def _user_texts():
    """``(file, text)`` of README.md, docs/*.md and every notebook cell (code and Markdown)."""
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "notebooks" / "README.md"]:
        yield path.relative_to(ROOT), path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            source = cell.get("source", "")
            yield f"{path.relative_to(ROOT)} cell {index}", "".join(source) if isinstance(source, list) else source


def imports_shown_to_users(texts) -> list[tuple[str, str, str]]:
    """``(where, module, name)`` for each name of each ``from thermal_keras|data_loaders... import``."""
    found = []
    for where, text in texts:
        for match in _FROM_IMPORT.finditer(text):
            names = re.sub(r"#[^\n]*", "", match.group(2)).strip().strip("()")
            for item in names.split(","):
                words = item.split()
                if words and re.fullmatch(r"\w+|\*", words[0]):
                    found.append((where, match.group(1), words[0]))
    return found


def test_the_scan_finds_plain_parenthesised_aliased_and_inline_imports():
    text = ("from thermal_keras import presets\n"
            "from thermal_keras.models import (\n    Pix2Pix,  # the model\n    build_generator,\n)\n"
            "from thermal_keras.cli import main as cli  # a comment, build_discriminator\n"
            "Load it with `from data_loaders import synthetic` first.\n"
            "import thermal_keras.metrics; from numpy import fromfile\n")
    assert imports_shown_to_users([("t", text)]) == [
        ("t", "thermal_keras", "presets"), ("t", "thermal_keras.models", "Pix2Pix"),
        ("t", "thermal_keras.models", "build_generator"), ("t", "thermal_keras.cli", "main"),
        ("t", "data_loaders", "synthetic")]


def test_every_import_the_docs_and_notebooks_show_still_works():
    found = imports_shown_to_users(_user_texts())
    assert len(found) > 100, f"the scan found only {len(found)} names: is it still reading the docs?"
    broken = []
    for module, name in sorted({(module, name) for _, module, name in found}):
        try:
            if name == "*":
                exec(f"from {module} import *", {})
            else:
                _import(module, name)
        except ImportError as error:
            where = sorted({w for w, m, n in found if (m, n) == (module, name)})
            broken.append(f"from {module} import {name}  ({', '.join(map(str, where))}): {error}")
    assert not broken, "names the docs give users no longer import:\n" + "\n".join(broken)


_IMPORT_AS = re.compile(r"(?<![\w.])import\s+((?:thermal_keras|data_loaders)(?:\.\w+)*)\s+as\s+(\w+)")
_DOTTED = re.compile(r"(?<![\w./-])((?:thermal_keras|data_loaders)(?:\.\w+)+)")
_FILE_SUFFIXES = {"json", "md", "py", "npz", "keras", "csv", "png", "h5", "tflite", "onnx", "txt", "ipynb"}
_OLD_NAMES = "## Module names before the reorganisation"  # docs/layout.md's table of names that moved


def attributes_shown_to_users(texts) -> list[tuple[str, str, str | None]]:
    """``(where, module path, attribute)`` for each ``alias.attribute`` whose alias a text bound with
    ``from thermal_keras... import alias`` or ``import thermal_keras... as alias``, and ``(where, dotted
    name, None)`` for each spelled-out ``thermal_keras.a.b`` / ``data_loaders.a``; file names
    (``thermal_keras.json``, ``RUN/metrics.json``) and docs/layout.md's table of old names are left out."""
    found = []
    for where, text in texts:
        text = text.split(_OLD_NAMES)[0]
        aliases = {}
        for match in _FROM_IMPORT.finditer(text):
            for item in re.sub(r"#[^\n]*", "", match.group(2)).strip().strip("()").split(","):
                words = item.split()
                if words and re.fullmatch(r"\w+", words[0]):
                    alias = words[2] if len(words) == 3 and words[1] == "as" else words[0]
                    aliases[alias] = f"{match.group(1)}.{words[0]}"
        aliases.update({match.group(2): match.group(1) for match in _IMPORT_AS.finditer(text)})
        for alias, path in aliases.items():
            found += [(where, path, use.group(1)) for use in re.finditer(rf"(?<![\w./-]){alias}\.(\w+)", text)
                      if use.group(1) not in _FILE_SUFFIXES]
        found += [(where, match.group(1), None) for match in _DOTTED.finditer(text)
                  if match.group(1).rpartition(".")[2] not in _FILE_SUFFIXES]
    return found


def _module(path: str):
    """The module ``path``, or ``None`` when it is not one."""
    try:
        return importlib.import_module(path)
    except ImportError:
        return None


def missing_attribute(path: str, attribute: str | None) -> bool:
    """Whether ``path.attribute`` (or, for ``None``, the dotted name ``path``) fails to resolve; an alias
    bound to something that is not a module (a function, a class) is not followed."""
    if attribute is not None:
        module = _module(path)
        return module is not None and not hasattr(module, attribute) and _module(f"{path}.{attribute}") is None
    parts = path.split(".")
    cut = len(parts)
    while cut > 1 and _module(".".join(parts[:cut])) is None:
        cut -= 1
    value = _module(".".join(parts[:cut]))
    for name in parts[cut:]:
        if not hasattr(value, name):
            return True
        value = getattr(value, name)
    return False


def test_the_attribute_scan_reads_aliases_dotted_names_and_skips_file_names():
    text = ("from thermal_keras import presets, metrics as m\nimport data_loaders.synthetic as syn\n"
            "presets.from_preset('x'); m.psnr(a, b); syn.generate_pairs(2)\n"
            "See docs/presets.md and RUN/metrics.json, thermal_keras.json and thermal_keras.presets.load_preset.")
    assert attributes_shown_to_users([("t", text)]) == [
        ("t", "thermal_keras.presets", "from_preset"), ("t", "thermal_keras.metrics", "psnr"),
        ("t", "data_loaders.synthetic", "generate_pairs"), ("t", "data_loaders.synthetic", None),
        ("t", "thermal_keras.presets.load_preset", None)]
    assert not missing_attribute("thermal_keras.presets", "from_preset")
    assert missing_attribute("thermal_keras.presets", "no_such_function")
    assert missing_attribute("thermal_keras.presets.no_such_function", None)
    assert not missing_attribute("thermal_keras.metrics.fusion.entropy", None)


def test_every_module_attribute_the_docs_and_notebooks_use_still_exists():
    found = attributes_shown_to_users(_user_texts())
    assert len(found) > 100, f"the scan found only {len(found)} uses: is it still reading the docs?"
    broken = sorted({(str(where), path, attribute) for where, path, attribute in found
                     if missing_attribute(path, attribute)})
    assert not broken, "names the docs and notebooks use no longer exist:\n" + "\n".join(
        f"{where}: {path}{'.' + attribute if attribute else ''}" for where, path, attribute in broken)


def test_importing_thermal_keras_data_does_not_import_tensorflow():
    """The restored ``thermal_keras.data.emsn_normalize`` is a lazy re-export: the package stays light."""
    code = ("import sys, thermal_keras.data as data\n"
            "assert 'tensorflow' not in sys.modules, 'thermal_keras.data imported tensorflow'\n"
            "assert 'emsn_normalize' in dir(data)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_emsn_normalize_is_one_function_wherever_it_is_imported_from():
    from thermal_keras.data import emsn, pipeline

    assert _import("thermal_keras.data", "emsn_normalize") is emsn.emsn_normalize is pipeline.emsn_normalize
    with pytest.raises(ImportError, match="no_such_name"):
        _import("thermal_keras.data", "no_such_name")


def test_thermal_keras_io_re_exports_one_object_per_name_from_the_module_that_does_the_job():
    from data_loaders import files, images
    from thermal_keras import image_io, io, luma, outputs, reports

    homes = (files, images, image_io, luma, outputs, reports)
    assert sorted(io.__all__) == sorted(PUBLIC_NAMES["thermal_keras.io"])
    for name in io.__all__:
        assert [home.__name__ for home in homes if getattr(home, name, None) is getattr(io, name)], name
