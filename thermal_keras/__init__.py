"""thermal-keras: Keras 3 GAN image translation for thermal imaging.

Conventions (see README): channels-last ``(batch, height, width, channels)``, RGB with 3 channels,
thermal with 1 channel, every image inside a model in ``[-1, 1]``.
"""

import os as _os

# TensorFlow enables its oneDNN CPU kernels by default only on Intel CPUs with AVX-512 (or newer).
# Elsewhere (AMD EPYC here) turning them on made the 256² pix2pix step 27% faster at batch 4 (see
# benchmarks/README.md). It only takes effect if TensorFlow is imported after this package; set
# TF_ENABLE_ONEDNN_OPTS=0 to keep TensorFlow's choice.
_os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

__version__ = "0.1.0"
