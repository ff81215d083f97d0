"""Feature-space losses added to CycleGAN's pixel cycle loss (Zhu et al. 2017): perceptual cycle, self-similarity.

Both compare images through a frozen ImageNet network (VGG16 by default) from
:mod:`thermal_keras.features`: the weights come from a local file (``weights=`` path, or
``"imagenet"`` for the ``$KERAS_HOME/models`` cache; :class:`~thermal_keras.features.MissingWeightsError`
says how to get it), ``weights=None`` gives a random network (tests). Images are model images
``(N, H, W, C)`` in ``[-1, 1]`` with C = 3 (RGB) or 1 (thermal); :func:`thermal_keras.features.preprocess`
replicates a thermal image to three channels *for the extractor only* and applies VGG's ImageNet
preprocessing (BGR, 0..255, ImageNet mean subtracted).

Every loss returns a float32 scalar tensor, differentiable with respect to both images.
"""

from __future__ import annotations

import keras
from keras import ops

from thermal_keras import features

PERCEPTUAL_LAYERS = ("block2_conv2", "block3_conv3")
SELF_SIMILARITY_LAYERS = ("block1_conv2", "block2_conv2", "block3_conv3")
COSINE_EPSILON = 1e-8


class _FeatureLoss:
    """Holds a frozen extractor that returns one feature map per entry of ``layer_names``."""

    def __init__(self, layer_names, network, weights):
        self.layer_names = tuple([layer_names] if isinstance(layer_names, str) else layer_names)
        if not self.layer_names:
            raise ValueError("layer_names must name at least one layer of the feature extractor")
        self.network = network
        self.weights = None if weights is None else str(weights)
        extractor = features.feature_extractor(network, list(self.layer_names), weights=weights)
        self.extractor = extractor

    def feature_maps(self, images):
        """``(N, H, W, 1|3)`` in [-1, 1] -> list of ``(N, h_l, w_l, C_l)`` float32 maps, one a layer."""
        outputs = self.extractor(features.preprocess(self.network, images), training=False)
        return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]

    def get_config(self):
        return {"layer_names": list(self.layer_names), "network": self.network, "weights": self.weights}


class PerceptualCycleLoss(_FeatureLoss):
    """L1 distance between feature maps of an image and of its cycle reconstruction.

    ``loss(x, x_rec) = mean_l mean |phi_l(x) - phi_l(x_rec)|`` over the layers ``l`` of
    ``layer_names`` (each term is a mean over all ``N * h_l * w_l * C_l`` elements), with ``phi``
    the extractor on preprocessed images. ``x``, ``x_rec``: ``(N, H, W, C)`` in [-1, 1], C 1 or 3.

    Args:
        layer_names: extractor layers to compare (VGG16 default: block2_conv2, block3_conv3).
        network: "vgg16" (or another :data:`thermal_keras.features.EXTRACTORS` name).
        weights: "imagenet" (local Keras cache), a weights file path, or None (random, tests).
    """

    def __init__(self, layer_names=PERCEPTUAL_LAYERS, network="vgg16", weights="imagenet"):
        super().__init__(layer_names, network, weights)

    def __call__(self, images, reconstructed):
        pairs = zip(self.feature_maps(images), self.feature_maps(reconstructed))
        terms = [ops.mean(ops.abs(ops.cast(a, "float32") - ops.cast(b, "float32"))) for a, b in pairs]
        return ops.mean(ops.stack(terms))


def _unit_vectors(feature_map):
    f = ops.cast(feature_map, "float32")
    return f / ops.maximum(ops.sqrt(ops.sum(ops.square(f), axis=-1, keepdims=True)), COSINE_EPSILON)


def patch_similarities(feature_map, patch_size, corners=None):
    """Similarity maps of the patches whose top-left corners are ``corners``.

    Args:
        feature_map: ``(N, h, w, C)`` float.
        patch_size: ``p``, with ``p <= h`` and ``p <= w``.
        corners: int ``(S,)`` flat indices ``y * (w - p + 1) + x`` into the grid of valid corners, the
            same for every image; None: all ``(h - p + 1) * (w - p + 1)`` corners, row by row.

    Returns:
        float32 ``(N, S, p * p)``: entry ``[n, s, dy * p + dx]`` is ``cos(f[n, y_s, x_s],
        f[n, y_s + dy, x_s + dx])``, the query (the patch's top-left feature) against key ``j = dy * p + dx``
        of the flattened patch; a zero vector's cosine is 0. Entry 0 is 1 for a non-zero query.
    """
    unit = _unit_vectors(feature_map)
    height, width, channels = ops.shape(unit)[1], ops.shape(unit)[2], ops.shape(unit)[3]
    out_w = width - patch_size + 1
    if corners is None:
        corners = ops.arange((height - patch_size + 1) * out_w)
    corner_y, corner_x = corners // out_w, corners % out_w
    offsets = ops.arange(patch_size)
    key_y = corner_y[:, None, None] + offsets[None, :, None]  # (S, p, 1)
    key_x = corner_x[:, None, None] + offsets[None, None, :]  # (S, 1, p)
    key_index = ops.reshape(key_y * width + key_x, (-1, patch_size * patch_size))  # (S, p*p)
    flat = ops.reshape(unit, (ops.shape(unit)[0], height * width, channels))
    keys = ops.take(flat, key_index, axis=1)  # (N, S, p*p, C): gathered, so sampling is cheap
    return ops.sum(keys * keys[:, :, :1, :], axis=-1)


def cosine_similarity_maps(feature_map, patch_size):
    """:func:`patch_similarities` at every corner, as a map: float32 ``(N, h - p + 1, w - p + 1, p * p)``."""
    shape = ops.shape(feature_map)
    maps = patch_similarities(feature_map, patch_size)
    return ops.reshape(maps, (shape[0], shape[1] - patch_size + 1, shape[2] - patch_size + 1, patch_size**2))


class SelfSimilarityLoss(_FeatureLoss):
    """L1 distance between the self-similarity patterns of a real image and its translation.

    Exact definition. For each layer ``l`` of ``layer_names``, with feature maps
    ``F = phi_l(real)`` and ``G = phi_l(generated)`` of shape ``(N, h, w, C)``:

    1. Sample ``num_patches`` = S top-left corners ``(y_s, x_s)`` uniformly from the
       ``(h - p + 1) * (w - p + 1)`` valid ones (p = ``patch_size``); the same corners serve all
       images of the batch and both ``F`` and ``G``.
    2. Patch ``s`` is the ``p x p x C`` block at ``(y_s, x_s)``, flattened into ``p * p`` key
       vectors of length ``C``; its query is the patch's top-left feature ``F[n, y_s, x_s]``.
    3. The similarity map of the patch is the ``p * p`` cosine similarities query · key_j /
       (|query| |key_j|) (:func:`patch_similarities`): ``S_F`` and ``S_G``, each ``(N, S, p*p)``.
    4. ``L_l = mean |S_F - S_G|`` over all ``N * S * p * p`` entries.

    The loss is ``mean_l L_l``. It is 0 when both images have the same features and does not
    depend on the feature scale, so it asks the generator to keep the image's internal structure
    (which parts look alike), not its colours or intensities, across the RGB -> thermal change.
    ``num_patches=None`` uses every corner (deterministic, no sampling).

    Args:
        layer_names: extractor layers (VGG16 default: block1_conv2, block2_conv2, block3_conv3).
        patch_size: ``p`` in feature-map pixels at every layer (>= 2).
        num_patches: patches per layer and call, or None for all.
        network, weights: see :class:`PerceptualCycleLoss`.
        seed: seed of the corner sampling.
    """

    def __init__(self, layer_names=SELF_SIMILARITY_LAYERS, patch_size=3, num_patches=64,
                 network="vgg16", weights="imagenet", seed=None):
        if isinstance(patch_size, bool) or not isinstance(patch_size, int) or patch_size < 2:
            raise ValueError(f"patch_size must be an int >= 2, got {patch_size!r}")
        if num_patches is not None and (not isinstance(num_patches, int) or num_patches < 1):
            raise ValueError(f"num_patches must be None or an int >= 1, got {num_patches!r}")
        super().__init__(layer_names, network, weights)
        self.patch_size = patch_size
        self.num_patches = num_patches
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="self_similarity_seed")

    def __call__(self, real, generated):
        terms = []
        for f_real, f_fake in zip(self.feature_maps(real), self.feature_maps(generated)):
            if f_real.shape[1] is not None and min(f_real.shape[1:3]) < self.patch_size:
                raise ValueError(f"feature map {tuple(f_real.shape)} is smaller than patch_size "
                                 f"{self.patch_size}: use larger images or shallower layers")
            corners = None
            if self.num_patches is not None:
                shape = ops.shape(f_real)
                num_corners = (shape[1] - self.patch_size + 1) * (shape[2] - self.patch_size + 1)
                corners = keras.random.randint((self.num_patches,), 0, num_corners, seed=self.seed_generator)
            maps_real = patch_similarities(f_real, self.patch_size, corners)
            maps_fake = patch_similarities(f_fake, self.patch_size, corners)
            terms.append(ops.mean(ops.abs(maps_real - maps_fake)))
        return ops.mean(ops.stack(terms))

    def get_config(self):
        return {**super().get_config(), "patch_size": self.patch_size,
                "num_patches": self.num_patches, "seed": self.seed}
