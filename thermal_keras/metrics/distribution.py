"""Distribution metrics for generated images: FID and KID on InceptionV3 pool features.

Both compare two *sets* of images (no pairing needed) through the 2048-d global-average-pooled
output of InceptionV3's last block (``mixed10``):

* FID (Heusel et al. 2017), the Fréchet distance between Gaussians fitted to the two feature sets:
  ``FID = |mu_r - mu_f|² + tr(S_r + S_f - 2 (S_r S_f)^½)``; lower is better, 0 for equal statistics.
* KID (Bińkowski et al. 2018), the unbiased estimate of the squared maximum mean discrepancy with
  the cubic polynomial kernel ``k(x, y) = (x·y / d + 1)³``, averaged over random subsets and
  reported as mean ± std. It is unbiased, so it is 0 in expectation for equal distributions and
  does not grow as the sample shrinks, unlike FID, which is biased upwards for small samples.

Input handling, stated because it changes the numbers: images in ``value_range`` (default
``[-1, 1]``), 1 or 3 channels (grey/thermal replicated to RGB for the extractor only), resized to
299×299 with bilinear interpolation and antialiasing (``tf.image.resize(..., "bilinear",
antialias=True)``), then scaled to InceptionV3's ``[-1, 1]``. Compare numbers only when they were
computed with the same resize and the same file format (JPEG compression alone moves FID).

Weights come from a local file through :mod:`thermal_keras.features` (``weights="imagenet"``: the
Keras cache file; a path; or ``None`` for a random network, for tests). Keras' ImageNet InceptionV3
is *not* the TF-slim 2015 Inception graph (``pt_inception-2015-12-05``) that the reference FID and
KID implementations use, so absolute values here are not comparable with published FID/KID figures;
comparisons between models scored with this module are.

Memory and time: FID streams features into running float64 sums (``FeatureStatistics``: 2048²
covariance, 32 MB, whatever the number of images), so 50k images fit; KID keeps the float32 features
(8 KB an image, 410 MB for 50k). ``frechet_distance`` takes ``tr((S_r S_f)^½)`` from symmetric
eigendecompositions (NumPy ``eigh``, tens of seconds for 2048² on a 2-core CPU), which need no
inversion, so singular covariances give the exact value; sets smaller than 2048 images, whose
covariances are singular anyway, use the exact low-rank form :func:`frechet_distance_low_rank`
(milliseconds). FID of a few hundred images is strongly biased upwards: compare FIDs only at equal
set sizes, or use KID.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

INCEPTION_SIZE = 299
FEATURE_DIM = 2048
RESIZE_METHOD = "bilinear"
RESIZE_ANTIALIAS = True


# --- Fréchet distance and MMD on feature arrays ---------------------------------------------------

# Covariances are accepted when they are symmetric and positive semi-definite up to rounding: an
# asymmetry or a negative eigenvalue larger than this fraction of the largest |entry| / |eigenvalue|.
COVARIANCE_TOLERANCE = 1e-6


def _covariance(sigma, name: str) -> np.ndarray:
    """``sigma`` made exactly symmetric; ``ValueError`` unless finite and symmetric up to rounding."""
    if not np.isfinite(sigma).all():
        raise ValueError(f"{name} holds NaN or inf; it is not a covariance matrix")
    scale = np.abs(sigma).max(initial=0.0)
    if np.abs(sigma - sigma.T).max(initial=0.0) > COVARIANCE_TOLERANCE * scale:
        raise ValueError(f"{name} is not symmetric; it is not a covariance matrix")
    return (sigma + sigma.T) / 2.0


def _rounding_zeroed(values: np.ndarray) -> np.ndarray:
    """Eigenvalues of a symmetric PSD matrix with those within rounding of 0 (below ``d · eps ·
    max``, negative ones included) set to exactly 0: their square roots would be noise of order
    ``sqrt(eps)``, e.g. 3e-8 where an exact 0 belongs."""
    if values.size == 0:
        return values
    floor = values.size * np.finfo(np.float64).eps * np.abs(values).max()
    return np.where(values > floor, values, 0.0)


def _psd_eigh(sigma, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (rounding zeroed) and eigenvectors of a symmetric ``sigma``; ``ValueError`` when
    an eigenvalue is negative beyond rounding (not positive semi-definite)."""
    values, vectors = np.linalg.eigh(sigma)
    if values.size and values[0] < -COVARIANCE_TOLERANCE * np.abs(values).max():
        raise ValueError(f"{name} has a negative eigenvalue ({values[0]:.3g}); it is not a covariance matrix")
    return _rounding_zeroed(values), vectors


def trace_sqrt_product(sigma1, sigma2) -> float:
    """``tr((sigma1 sigma2)^½)`` of two symmetric positive semi-definite ``(d, d)`` matrices, >= 0.

    ``sigma1 sigma2`` is similar to the symmetric ``R sigma2 R`` with ``R = sigma1^½`` (both from
    ``eigh``; eigenvalues within rounding of 0, tiny negative ones included, set to 0), so the trace
    is the sum of the square roots of that matrix's eigenvalues. Nothing is inverted: singular
    (rank-deficient) covariances give the exact value, unlike a general ``sqrtm`` of the
    non-symmetric product.
    """
    values, vectors = _psd_eigh(sigma1, "sigma1")
    _psd_eigh(sigma2, "sigma2")
    root1 = (vectors * np.sqrt(values)) @ vectors.T
    inner = root1 @ sigma2 @ root1
    inner_values = _rounding_zeroed(np.linalg.eigvalsh((inner + inner.T) / 2.0))
    return float(np.sqrt(inner_values).sum())


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2), exact for singular covariances.

    ``|mu1 - mu2|² + tr(sigma1) + tr(sigma2) - 2 tr((sigma1 sigma2)^½)`` in float64, the trace of the
    square root from :func:`trace_sqrt_product` (symmetric eigendecompositions, no regularisation).
    Closed forms it meets: 0 for equal Gaussians; for diagonal covariances ``a`` and ``b``,
    ``|mu1 - mu2|² + Σ (sqrt(a) - sqrt(b))²``.

    Args:
        mu1, mu2: mean vectors ``(d,)``.
        sigma1, sigma2: covariance matrices ``(d, d)``, symmetric positive semi-definite (rounding
            errors up to ``COVARIANCE_TOLERANCE`` relative are accepted).

    Returns:
        A Python float >= 0 (up to rounding).

    Raises:
        ValueError: mismatched shapes, NaN/inf, or a matrix that is not a covariance (asymmetric, or
            a negative eigenvalue), in one line.
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.shape != mu2.shape or mu1.ndim != 1:
        raise ValueError(f"mu1 and mu2 must be vectors of one length, got {mu1.shape} and {mu2.shape}")
    if sigma1.shape != (mu1.size,) * 2 or sigma2.shape != sigma1.shape:
        raise ValueError(f"sigma1 and sigma2 must be {(mu1.size,) * 2}, got {sigma1.shape} and {sigma2.shape}")
    if not (np.isfinite(mu1).all() and np.isfinite(mu2).all()):
        raise ValueError("mu1 or mu2 holds NaN or inf")
    sigma1, sigma2 = _covariance(sigma1, "sigma1"), _covariance(sigma2, "sigma2")
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_sqrt_product(sigma1, sigma2))


def frechet_distance_low_rank(real, fake) -> float:
    """Fréchet distance of the Gaussians fitted to two small feature sets, exact and fast.

    With ``S_r = Aᵀ A`` and ``S_f = Bᵀ B`` (``A``, ``B`` the centred features over ``sqrt(n - 1)``),
    the non-zero eigenvalues of ``S_r S_f`` are the squared singular values of ``A Bᵀ``, so
    ``tr((S_r S_f)^½)`` is the nuclear norm of the ``(n_r, n_f)`` matrix ``A Bᵀ``. For sets smaller
    than the feature length (covariances singular) this equals :func:`frechet_distance`, at
    ``O(n_r n_f d)`` cost instead of three ``d × d`` eigendecompositions.

    Args:
        real, fake: feature arrays ``(n_r, d)`` and ``(n_f, d)``, n >= 2.
    """
    real = _feature_matrix(real, "real").astype(np.float64)
    fake = _feature_matrix(fake, "fake").astype(np.float64)
    mu_r, mu_f = real.mean(0), fake.mean(0)
    a = (real - mu_r) / np.sqrt(len(real) - 1)
    b = (fake - mu_f) / np.sqrt(len(fake) - 1)
    trace_root = np.linalg.svd(a @ b.T, compute_uv=False).sum()
    diff = mu_r - mu_f
    return float(diff @ diff + np.sum(a * a) + np.sum(b * b) - 2.0 * trace_root)


def polynomial_kernel(x, y, degree: int = 3, gamma: float | None = None, coef0: float = 1.0) -> np.ndarray:
    """``(gamma x·y + coef0) ** degree`` for all rows of ``x (n, d)`` and ``y (m, d)``; gamma 1/d by default."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    gamma = 1.0 / x.shape[1] if gamma is None else gamma
    return (gamma * (x @ y.T) + coef0) ** degree


def mmd2_unbiased(x, y, **kernel_args) -> float:
    """Unbiased MMD² estimate between samples ``x (n, d)`` and ``y (m, d)``, n, m >= 2.

    ``mean_{i≠j} k(x_i, x_j) + mean_{i≠j} k(y_i, y_j) - 2 mean_{i,j} k(x_i, y_j)``: the diagonals
    (a sample with itself) are left out, which is what removes the bias. Can be negative.
    """
    k_xx, k_yy, k_xy = (polynomial_kernel(p, q, **kernel_args) for p, q in ((x, x), (y, y), (x, y)))
    n, m = k_xx.shape[0], k_yy.shape[0]
    if n < 2 or m < 2:
        raise ValueError(f"mmd2_unbiased needs at least 2 samples on each side, got {n} and {m}")
    within_x = (k_xx.sum() - np.trace(k_xx)) / (n * (n - 1))
    within_y = (k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within_x + within_y - 2.0 * k_xy.mean())


def kid_from_features(real, fake, num_subsets: int = 100, subset_size: int = 1000,
                      seed: int = 0) -> tuple[float, float]:
    """KID from feature arrays: unbiased MMD² (cubic kernel) over ``num_subsets`` random subsets.

    Each subset draws ``min(subset_size, n_real, n_fake)`` rows from each side without replacement.

    Returns:
        ``(mean, std)`` over the subsets (std 0 for one subset).
    """
    real, fake = _feature_matrix(real, "real"), _feature_matrix(fake, "fake")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"real and fake features differ in length: {real.shape[1]} and {fake.shape[1]}")
    if num_subsets < 1:
        raise ValueError(f"num_subsets must be >= 1, got {num_subsets}")
    size = min(subset_size, len(real), len(fake))
    rng = np.random.default_rng(seed)
    values = [mmd2_unbiased(real[rng.choice(len(real), size, replace=False)],
                            fake[rng.choice(len(fake), size, replace=False)]) for _ in range(num_subsets)]
    return float(np.mean(values)), float(np.std(values))


def _feature_matrix(features, name) -> np.ndarray:
    features = np.asarray(features)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"{name} features must be (n >= 2, d), got shape {features.shape}")
    return features


class FeatureStatistics:
    """Running mean and covariance of feature vectors, float64, O(d²) memory whatever the count.

    Batches merge with the pairwise update of Chan et al. (a batch's own mean and centred scatter,
    then a correction for the shift between means), which stays accurate where accumulating raw
    sums of squares would cancel catastrophically.
    """

    def __init__(self):
        self.count = 0
        self._mean = None
        self._scatter = None  # sum of outer products of deviations from the mean

    def update(self, features) -> "FeatureStatistics":
        """Add a batch ``(n, d)`` of features."""
        batch = np.asarray(features, np.float64)
        if batch.ndim != 2:
            raise ValueError(f"features must be (n, d), got shape {batch.shape}")
        if len(batch) == 0:
            return self
        batch_mean = batch.mean(axis=0)
        centred = batch - batch_mean
        batch_scatter = centred.T @ centred
        if self._mean is None:
            self.count, self._mean, self._scatter = len(batch), batch_mean, batch_scatter
            return self
        if batch.shape[1] != self._mean.size:
            raise ValueError(f"features have {batch.shape[1]} values, earlier batches {self._mean.size}")
        total = self.count + len(batch)
        delta = batch_mean - self._mean
        self._scatter = self._scatter + batch_scatter + np.outer(delta, delta) * (self.count * len(batch) / total)
        self._mean = self._mean + delta * (len(batch) / total)
        self.count = total
        return self

    @property
    def mean(self) -> np.ndarray:
        """``(d,)`` float64."""
        self._require(1)
        return self._mean

    @property
    def covariance(self) -> np.ndarray:
        """``(d, d)`` float64 sample covariance (divided by n - 1, as ``np.cov``)."""
        self._require(2)
        return self._scatter / (self.count - 1)

    def _require(self, n):
        if self.count < n:
            raise ValueError(f"need at least {n} feature vectors, have {self.count}")


# --- InceptionV3 features of image batches --------------------------------------------------------

def inception_extractor(weights="imagenet"):
    """InceptionV3 (no top) + global average pooling: float32 ``(N, 299, 299, 3)`` in ``[-1, 1]``
    -> ``(N, 2048)``. ``weights``: "imagenet" (local Keras cache file), a path, or ``None`` (random).
    Raises :class:`thermal_keras.features.MissingWeightsError` when the file is not there."""
    import keras

    from thermal_keras.features import feature_extractor

    backbone = feature_extractor("inception_v3", weights=weights,
                                 input_shape=(INCEPTION_SIZE, INCEPTION_SIZE, 3))
    inputs = keras.Input((INCEPTION_SIZE, INCEPTION_SIZE, 3))
    pooled = keras.layers.GlobalAveragePooling2D(name="pool_3")(backbone(inputs))
    model = keras.Model(inputs, pooled, name="inception_v3_pool")
    model.trainable = False
    return model


def inception_input(images, value_range=(-1.0, 1.0)):
    """Images ``(N, H, W, 1 or 3)`` in ``value_range`` -> float32 ``(N, 299, 299, 3)`` in ``[-1, 1]``.

    Grey is replicated to three channels; the resize is bilinear with antialiasing (see module doc).
    """
    import tensorflow as tf

    from thermal_keras.features import preprocess

    x = tf.convert_to_tensor(images)
    if x.shape.rank != 4 or x.shape[-1] not in (1, 3):
        raise ValueError(f"images must be (N, H, W, 1 or 3), got shape {tuple(x.shape)}")
    x = tf.cast(x, tf.float32)
    if tuple(x.shape[1:3]) != (INCEPTION_SIZE, INCEPTION_SIZE):
        x = tf.image.resize(x, (INCEPTION_SIZE, INCEPTION_SIZE), method=RESIZE_METHOD,
                            antialias=RESIZE_ANTIALIAS)
    return preprocess("inception_v3", x, value_range=value_range)


def image_batches(images, batch_size: int = 32) -> Iterable:
    """Batches of one image set: an array/tensor ``(N, H, W, C)`` is sliced; a ``tf.data.Dataset``
    or any iterable of batches is passed through (``(x, y)`` elements are refused: ambiguous)."""
    if hasattr(images, "shape") and len(images.shape) == 4:
        for start in range(0, int(images.shape[0]), batch_size):
            yield images[start:start + batch_size]
        return
    for batch in images:
        if isinstance(batch, (tuple, list)):
            raise ValueError("image batches must be arrays (N, H, W, C), not tuples; map the dataset "
                             "to the images you want scored")
        yield batch


def inception_features(images, extractor=None, weights="imagenet", batch_size: int = 32,
                       value_range=(-1.0, 1.0)) -> Iterable[np.ndarray]:
    """Yield float32 ``(n, 2048)`` pool features batch by batch for one image set (see
    :func:`image_batches` for what ``images`` may be); builds the extractor unless one is given."""
    extractor = extractor or inception_extractor(weights)
    for batch in image_batches(images, batch_size):
        yield np.asarray(extractor(inception_input(batch, value_range), training=False), np.float32)


def _features(images, extractor, batch_size, value_range, keep_up_to: float):
    """Statistics of one set, and its features while there are at most ``keep_up_to`` of them."""
    stats, kept = FeatureStatistics(), []
    for chunk in inception_features(images, extractor, batch_size=batch_size, value_range=value_range):
        stats.update(chunk)
        if stats.count <= keep_up_to:
            kept.append(chunk)
        else:
            kept.clear()
    if stats.count < 2:
        raise ValueError(f"an image set has {stats.count} image(s); FID/KID need at least 2 per set")
    return stats, (np.concatenate(kept) if kept else None)


def _fid_of(real_stats, real_features, fake_stats, fake_features) -> float:
    """Below the feature length both sets are kept and the exact low-rank formula is used."""
    if real_features is not None and fake_features is not None:
        return frechet_distance_low_rank(real_features, fake_features)
    return frechet_distance(real_stats.mean, real_stats.covariance, fake_stats.mean, fake_stats.covariance)


def fid(real, fake, weights="imagenet", extractor=None, batch_size: int = 32,
        value_range=(-1.0, 1.0)) -> float:
    """FID between two image sets (arrays, datasets or iterables of batches; any sizes, 1 or 3
    channels, values in ``value_range``). Features stream into running statistics; sets with fewer
    images than the 2048 feature values use :func:`frechet_distance_low_rank` (exact, fast), larger
    ones :func:`frechet_distance` (symmetric eigendecompositions)."""
    extractor = extractor or inception_extractor(weights)
    real = _features(real, extractor, batch_size, value_range, keep_up_to=FEATURE_DIM - 1)
    fake = _features(fake, extractor, batch_size, value_range, keep_up_to=FEATURE_DIM - 1)
    return _fid_of(*real, *fake)


def kid(real, fake, weights="imagenet", extractor=None, batch_size: int = 32, value_range=(-1.0, 1.0),
        num_subsets: int = 100, subset_size: int = 1000, seed: int = 0) -> tuple[float, float]:
    """KID ``(mean, std)`` between two image sets; see :func:`kid_from_features`."""
    extractor = extractor or inception_extractor(weights)
    _, real_features = _features(real, extractor, batch_size, value_range, keep_up_to=np.inf)
    _, fake_features = _features(fake, extractor, batch_size, value_range, keep_up_to=np.inf)
    return kid_from_features(real_features, fake_features, num_subsets, subset_size, seed)


def distribution_scores(real, fake, weights="imagenet", extractor=None, batch_size: int = 32,
                        value_range=(-1.0, 1.0), num_subsets: int = 100, subset_size: int = 1000,
                        seed: int = 0) -> dict:
    """FID and KID from one pass of the extractor over each set.

    Returns ``{"fid", "kid_mean", "kid_std", "kid_subset_size", "n_real", "n_fake"}``.
    """
    extractor = extractor or inception_extractor(weights)
    real_stats, real_features = _features(real, extractor, batch_size, value_range, keep_up_to=np.inf)
    fake_stats, fake_features = _features(fake, extractor, batch_size, value_range, keep_up_to=np.inf)
    small = max(real_stats.count, fake_stats.count) < FEATURE_DIM
    kid_mean, kid_std = kid_from_features(real_features, fake_features, num_subsets, subset_size, seed)
    return {
        "fid": _fid_of(real_stats, real_features if small else None, fake_stats, fake_features if small else None),
        "kid_mean": kid_mean,
        "kid_std": kid_std,
        "kid_subset_size": min(subset_size, real_stats.count, fake_stats.count),
        "n_real": real_stats.count,
        "n_fake": fake_stats.count,
    }
