"""Scores against the grey-of-RGB and mean-image baselines: shared by both translators, they live in
:mod:`thermal_keras.translation.evaluate` (re-exported here, where the names were first given)."""

from thermal_keras.translation.evaluate import (  # noqa: F401
    evaluate_translation, format_report, grey_of_rgb, image_metrics, mean_target)
