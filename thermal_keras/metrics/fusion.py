"""Image-fusion metrics for a fused image F of an infrared image A and a visible image B.

``from thermal_keras.metrics import fusion``; every function takes grey images as NumPy arrays
(``(H, W)``, ``(H, W, 1)``; ``(H, W, 3)`` is turned into BT.601 luma) on the **0..255** scale the
fusion literature reports on (convert model output with ``(x + 1) * 127.5``), computes in float64
and returns a Python float. Reference-free metrics (EN, SD, SF, AG) look at F alone; the others
compare F with both sources. Higher is better for all of them.

* EN, entropy (bits): ``-Σ_l p_l log2 p_l`` over the 256-bin histogram of F (values rounded to
  integers 0..255).
* SD, standard deviation: ``sqrt(mean((F - mean F)²))`` (population), contrast.
* SF, spatial frequency: ``sqrt(RF² + CF²)`` with ``RF² = mean((F[i, j] - F[i, j-1])²)`` over the
  ``H × (W-1)`` horizontal differences and ``CF²`` likewise over the ``(H-1) × W`` vertical ones.
* AG, average gradient: ``mean(sqrt((Δx² + Δy²) / 2))`` with forward differences
  ``Δx = F[i, j+1] - F[i, j]``, ``Δy = F[i+1, j] - F[i, j]`` over the ``(H-1) × (W-1)`` pixels with both.
* MI, mutual information (bits): ``MI(A, F) + MI(B, F)``, each ``Σ p(a, f) log2(p(a, f) / (p(a) p(f)))``
  from the 256×256 joint histogram of the rounded grey levels.
* SCD, sum of the correlations of differences (Aslantas & Bendes 2015):
  ``r(F - B, A) + r(F - A, B)`` with ``r`` Pearson's correlation coefficient; in ``[-2, 2]``.
* VIF (Sheikh & Bovik 2006, pixel domain, 4 scales) as fusion papers use it: ``VIF(A, F) + VIF(B, F)``
  with the source as reference; see :func:`vif_single`.
* Qabf (Xydeas & Petrović 2000): how much edge strength and orientation (3×3 Sobel) of A and B
  survives in F, weighted by the source gradient magnitudes; in ``[0, 1]``; see :func:`qabf`.
* SSIM: ``SSIM(F, A) + SSIM(F, B)``, Gaussian 11×11, sigma 1.5 (:func:`thermal_keras.metrics.ssim`,
  data range 255).

``convention="cddfuse"`` (on :func:`average_gradient`, :func:`mutual_information`, :func:`qabf`,
:func:`ssim_sum` and :func:`all_metrics`) computes the definitions of the evaluator most published
tables come from (MMIF-CDDFuse ``utils/Evaluator.py``, run with its pinned scikit-image 0.19), where
they differ from the ones above: AG from central differences over all pixels, MI in nats, Qabf with
zero-padded borders and orientations that are not folded modulo π, SSIM with a 7×7 box window,
sample covariances and a data range of 2 (the range scikit-image guessed for float images). EN, SD,
SF, SCD and VIF are the same in both. docs/fusion.md has the table of differences. The reference
reads every image as rounded 8-bit grey: round inputs (``np.rint``) to reproduce its numbers exactly.
"""

from __future__ import annotations

import numpy as np

from thermal_keras.io import LUMA_BT601

__all__ = ["entropy", "std", "spatial_frequency", "average_gradient", "mutual_information", "scd", "vif",
           "vif_single", "qabf", "ssim_sum", "all_metrics", "METRIC_NAMES", "CONVENTIONS"]

# "thermal_keras": the definitions in the module docstring; "cddfuse": the reference evaluator's.
CONVENTIONS = ("thermal_keras", "cddfuse")

VIF_NOISE_VARIANCE = 2.0  # sigma_n² of the HVS noise model in Sheikh & Bovik's code
VIF_SCALES = 4
VIF_MIN_SIZE = 41  # the 4th scale needs a 3×3 window after three valid filterings and two halvings
# Xydeas & Petrović's sigmoid constants for edge strength (g) and orientation (alpha).
QABF_GAMMA_G, QABF_KAPPA_G, QABF_SIGMA_G = 0.9994, -15.0, 0.5
QABF_GAMMA_A, QABF_KAPPA_A, QABF_SIGMA_A = 0.9879, -22.0, 0.8
SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
# The reference's SSIM: scikit-image <= 0.19 defaults on float32 images (7×7 box, sample covariance,
# data range guessed from the dtype as [-1, 1], so C1 and C2 are tiny next to 0..255 signals).
SSIM_BOX_WINDOW = 7
SSIM_FLOAT_DTYPE_RANGE = 2.0
SSIM_K1, SSIM_K2 = 0.01, 0.03


def _checked(convention: str) -> str:
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
    return convention


def as_grey(image, name: str = "image") -> np.ndarray:
    """A 0..255 grey image as float64 ``(H, W)``; ``(H, W, 3)`` becomes its BT.601 luma."""
    array = np.asarray(image, dtype=np.float64)
    if array.ndim == 3 and array.shape[-1] == 3:
        array = array @ np.asarray(LUMA_BT601)
    elif array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim != 2 or min(array.shape) < 2:
        raise ValueError(f"{name} must be (H, W), (H, W, 1) or (H, W, 3) with H, W >= 2, got {np.shape(image)}")
    return array


def _sources(fused, ir, visible):
    f, a, b = as_grey(fused, "fused"), as_grey(ir, "ir"), as_grey(visible, "visible")
    if not a.shape == b.shape == f.shape:
        raise ValueError(f"fused, ir and visible must have one size, got {f.shape}, {a.shape}, {b.shape}")
    return f, a, b


def _levels(image) -> np.ndarray:
    return np.clip(np.rint(image), 0, 255).astype(np.int64)


def _entropy_of(probabilities) -> float:
    p = probabilities[probabilities > 0]
    return float(-np.sum(p * np.log2(p)))


def entropy(fused) -> float:
    """EN: Shannon entropy in bits of the 256-level histogram of ``fused``; 0..8."""
    counts = np.bincount(_levels(as_grey(fused, "fused")).ravel(), minlength=256)
    return _entropy_of(counts / counts.sum())


def std(fused) -> float:
    """SD: population standard deviation of ``fused`` (0..255 units)."""
    return float(np.std(as_grey(fused, "fused")))


def spatial_frequency(fused) -> float:
    """SF: ``sqrt(RF² + CF²)``, root-mean-square horizontal and vertical neighbour differences."""
    f = as_grey(fused, "fused")
    row_frequency_sq = np.mean(np.diff(f, axis=1) ** 2)
    column_frequency_sq = np.mean(np.diff(f, axis=0) ** 2)
    return float(np.sqrt(row_frequency_sq + column_frequency_sq))


def average_gradient(fused, *, convention: str = "thermal_keras") -> float:
    """AG: mean of ``sqrt((Δx² + Δy²) / 2)``.

    ``"thermal_keras"``: forward differences over the ``(H-1) × (W-1)`` pixels with a right and a
    lower neighbour. ``"cddfuse"``: ``np.gradient``'s differences over all ``H × W`` pixels, central
    ``(F[i, j+1] - F[i, j-1]) / 2`` inside and one-sided on the border rows and columns.
    """
    f = as_grey(fused, "fused")
    if _checked(convention) == "cddfuse":
        dy, dx = np.gradient(f)
    else:
        dx = f[:-1, 1:] - f[:-1, :-1]
        dy = f[1:, :-1] - f[:-1, :-1]
    return float(np.mean(np.sqrt((dx**2 + dy**2) / 2.0)))


def _mutual_information_pair(x, f) -> float:
    joint = np.zeros((256, 256))
    np.add.at(joint, (_levels(x).ravel(), _levels(f).ravel()), 1.0)
    joint /= joint.sum()
    return _entropy_of(joint.sum(1)) + _entropy_of(joint.sum(0)) - _entropy_of(joint.ravel())


def mutual_information(fused, ir, visible, *, convention: str = "thermal_keras") -> float:
    """MI: ``MI(ir, fused) + MI(visible, fused)`` from 256-level joint histograms of the rounded images.

    In bits (log2, like EN, so that ``MI(X, X) = EN(X)``); ``convention="cddfuse"`` gives nats (natural
    log, scikit-learn's ``mutual_info_score``, which the reference uses): the bits times ln 2.
    """
    f, a, b = _sources(fused, ir, visible)
    bits = _mutual_information_pair(a, f) + _mutual_information_pair(b, f)
    return float(bits * np.log(2.0)) if _checked(convention) == "cddfuse" else bits


def _correlation(x, y) -> float:
    x, y = x - x.mean(), y - y.mean()
    denominator = np.sqrt(np.sum(x * x) * np.sum(y * y))
    return float(np.sum(x * y) / denominator) if denominator > 0 else 0.0


def scd(fused, ir, visible) -> float:
    """SCD: ``corr(fused - visible, ir) + corr(fused - ir, visible)``; a constant term counts as 0."""
    f, a, b = _sources(fused, ir, visible)
    return _correlation(f - b, a) + _correlation(f - a, b)


def _gaussian_window(size: int) -> np.ndarray:
    """Sheikh & Bovik's window: ``size × size`` Gaussian with sigma ``size / 5``, summing to 1."""
    radius = (size - 1) / 2.0
    axis = np.arange(size) - radius
    g = np.exp(-(axis**2) / (2.0 * (size / 5.0) ** 2))
    window = np.outer(g, g)
    return window / window.sum()


def _filter_valid(image, window) -> np.ndarray:
    """2-D correlation keeping only positions where the window fits (MATLAB ``filter2(..., 'valid')``)."""
    k = window.shape[0]
    views = np.lib.stride_tricks.sliding_window_view(image, (k, k))
    return np.einsum("ijkl,kl->ij", views, window)


def vif_single(reference, distorted) -> float:
    """Pixel-domain multi-scale VIF of ``distorted`` against ``reference`` (Sheikh & Bovik 2006).

    At scales s = 1..4 a Gaussian window of side ``N = 2^(5-s) + 1`` (sigma N/5) gives local means,
    variances and covariance (valid region); from scale 2 on both images are first low-passed with
    that window and subsampled by 2. Per pixel the distortion is a gain ``g = σ_rd / σ_r²`` plus
    noise ``σ_v² = σ_d² - g σ_rd``; ``VIF = Σ log10(1 + g² σ_r² / (σ_v² + σ_n²)) / Σ log10(1 + σ_r² / σ_n²)``
    with ``σ_n² = 2``. 1 for ``distorted == reference``, 0 when ``distorted`` is constant, > 1 where
    ``distorted`` has more contrast. A flat ``reference`` has no information to lose: 0 / 0, scored 1
    as the reference evaluator does (its NaN becomes 1). Needs images of at least 41×41 pixels (4 scales).
    """
    ref, dist = as_grey(reference, "reference"), as_grey(distorted, "distorted")
    if ref.shape != dist.shape or min(ref.shape) < VIF_MIN_SIZE:
        raise ValueError(f"vif needs two images of one size >= {VIF_MIN_SIZE}×{VIF_MIN_SIZE}, got {ref.shape} and {dist.shape}")
    eps = 1e-10
    numerator = denominator = 0.0
    for scale in range(1, VIF_SCALES + 1):
        window = _gaussian_window(2 ** (VIF_SCALES - scale + 1) + 1)
        if scale > 1:
            ref, dist = _filter_valid(ref, window)[::2, ::2], _filter_valid(dist, window)[::2, ::2]
        mu_r, mu_d = _filter_valid(ref, window), _filter_valid(dist, window)
        var_r = np.maximum(_filter_valid(ref * ref, window) - mu_r**2, 0.0)
        var_d = np.maximum(_filter_valid(dist * dist, window) - mu_d**2, 0.0)
        cov = _filter_valid(ref * dist, window) - mu_r * mu_d
        gain = cov / (var_r + eps)
        noise = var_d - gain * cov
        # Flat reference: no signal, so the distortion is all noise. Flat distorted: no gain.
        gain = np.where(var_r < eps, 0.0, gain)
        noise = np.where(var_r < eps, var_d, noise)
        var_r = np.where(var_r < eps, 0.0, var_r)
        gain = np.where(var_d < eps, 0.0, gain)
        noise = np.where(var_d < eps, 0.0, noise)
        noise = np.where(gain < 0, var_d, noise)  # a negative gain carries no information
        gain = np.maximum(gain, 0.0)
        noise = np.maximum(noise, eps)
        numerator += np.sum(np.log10(1.0 + gain**2 * var_r / (noise + VIF_NOISE_VARIANCE)))
        denominator += np.sum(np.log10(1.0 + var_r / VIF_NOISE_VARIANCE))
    return float(numerator / denominator) if denominator > 0 else 1.0


def vif(fused, ir, visible) -> float:
    """VIF for fusion: ``vif_single(ir, fused) + vif_single(visible, fused)``."""
    f, a, b = _sources(fused, ir, visible)
    return vif_single(a, f) + vif_single(b, f)


def _sobel(image, padding: str = "edge"):
    """3×3 Sobel responses, horizontal ``gx`` and vertical ``gy``, (H, W); ``padding`` as ``np.pad``'s mode."""
    padded = np.pad(image, 1, mode=padding)
    views = np.lib.stride_tricks.sliding_window_view(padded, (3, 3))
    gx = np.einsum("ijkl,kl->ij", views, SOBEL_X)
    gy = np.einsum("ijkl,kl->ij", views, SOBEL_X.T)
    return gx, gy


def _edges(image):
    gx, gy = _sobel(image)
    strength = np.hypot(gx, gy)
    # atan(gy / gx) in [-π/2, π/2]; a vertical gradient (gx = 0) has orientation π/2.
    orientation = np.where(gx == 0, np.pi / 2, np.arctan(gy / np.where(gx == 0, 1.0, gx)))
    return strength, orientation


def _edges_cddfuse(image):
    """The reference's edges: zero-padded borders (``convolve2d(..., 'same')``) and its signs.

    Its true convolution flips the x kernel, so its x response is ``-gx``; orientation
    ``atan(gy / -gx)``, π/2 where that is 0. Magnitudes are ``sqrt(x² + y²)`` (not ``hypot``) so equal
    integer-valued strengths compare equal in the MATLAB rule below.
    """
    gx, gy = _sobel(image, padding="constant")
    sx = -gx
    strength = np.sqrt(sx * sx + gy * gy)
    orientation = np.where(sx == 0, np.pi / 2, np.arctan(gy / np.where(sx == 0, 1.0, sx)))
    return strength, orientation


def _edge_preservation(source, fused, convention: str = "thermal_keras"):
    """Q^{XF} per pixel: sigmoid(relative strength) · sigmoid(relative orientation)."""
    g_x, a_x = source
    g_f, a_f = fused
    larger = np.maximum(g_x, g_f)
    ratio = np.minimum(g_x, g_f) / np.where(larger == 0, 1.0, larger)
    if convention == "cddfuse":
        # The MATLAB code the reference follows takes g_F itself where the strengths are equal (so 0
        # where both are flat), and 1 - |Δα| / (π/2) in [-1, 1], which scores near-vertical edges of
        # opposite slope (α ≈ ±π/2) as opposite.
        relative_strength = np.where(g_x == g_f, g_f, ratio)
        relative_orientation = 1.0 - np.abs(a_x - a_f) / (np.pi / 2)
    else:
        relative_strength = np.where(larger == 0, 1.0, ratio)
        # Orientations are lines, so angles π apart agree: 1 at 0 or π difference, 0 at π/2.
        relative_orientation = np.abs(np.abs(a_x - a_f) - np.pi / 2) / (np.pi / 2)
    q_g = QABF_GAMMA_G / (1.0 + np.exp(QABF_KAPPA_G * (relative_strength - QABF_SIGMA_G)))
    q_a = QABF_GAMMA_A / (1.0 + np.exp(QABF_KAPPA_A * (relative_orientation - QABF_SIGMA_A)))
    return q_g * q_a


def qabf(fused, ir, visible, *, convention: str = "thermal_keras") -> float:
    """Qabf: ``Σ (Q^{AF} g_A + Q^{BF} g_B) / Σ (g_A + g_B)`` with Sobel magnitudes ``g`` as weights.

    ``Q^{XF}`` multiplies two sigmoids, of the relative edge strength ``min(g_X, g_F) / max(g_X, g_F)``
    and of the relative orientation ``||α_X - α_F| - π/2| / (π/2)`` (``α = atan(gy / gx)``), with
    Xydeas & Petrović's constants (Γ 0.9994 / 0.9879, κ -15 / -22, σ 0.5 / 0.8). Perfect transfer
    scores ``Q_max = 0.9994 / (1 + e^-7.5) · 0.9879 / (1 + e^-4.4) ≈ 0.9748``, not 1. Flat sources
    (no edges anywhere) give 0. Borders are edge-replicated, so the frame adds no edges.

    ``convention="cddfuse"``: zero-padded borders (the image frame becomes an edge), relative
    orientation ``1 - |α_X - α_F| / (π/2)`` unfolded, and relative strength ``g_F`` where
    ``g_X == g_F``, so a perfect copy of integer images (edge strengths >= 1) scores between ``Q_max``
    and ``0.9994 · 0.9879 / (1 + e^-4.4) ≈ 0.9753``. Flat sources give 0 here too, where the
    reference divides 0 by 0.
    """
    f, a, b = _sources(fused, ir, visible)
    edges = _edges_cddfuse if _checked(convention) == "cddfuse" else _edges
    edges_f, edges_a, edges_b = edges(f), edges(a), edges(b)
    weights = edges_a[0] + edges_b[0]
    if weights.sum() == 0:
        return 0.0
    total = (_edge_preservation(edges_a, edges_f, convention) * edges_a[0]
             + _edge_preservation(edges_b, edges_f, convention) * edges_b[0])
    return float(total.sum() / weights.sum())


def _ssim_box(x, y) -> float:
    """Mean SSIM over the valid 7×7 box windows, sample covariances, data range 2 (the reference's)."""
    if min(x.shape) < SSIM_BOX_WINDOW:
        raise ValueError(f"ssim with convention='cddfuse' needs images of at least {SSIM_BOX_WINDOW}×"
                         f"{SSIM_BOX_WINDOW}, got {x.shape}")
    window = np.full((SSIM_BOX_WINDOW, SSIM_BOX_WINDOW), 1.0 / SSIM_BOX_WINDOW**2)
    n = window.size
    mu_x, mu_y = _filter_valid(x, window), _filter_valid(y, window)
    var_x = (_filter_valid(x * x, window) - mu_x**2) * n / (n - 1)
    var_y = (_filter_valid(y * y, window) - mu_y**2) * n / (n - 1)
    cov = (_filter_valid(x * y, window) - mu_x * mu_y) * n / (n - 1)
    c1, c2 = (SSIM_K1 * SSIM_FLOAT_DTYPE_RANGE) ** 2, (SSIM_K2 * SSIM_FLOAT_DTYPE_RANGE) ** 2
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    return float(np.mean(ssim_map))


def ssim_sum(fused, ir, visible, *, convention: str = "thermal_keras") -> float:
    """``SSIM(fused, ir) + SSIM(fused, visible)`` on 0..255 grey; 2 when all three are equal.

    ``"thermal_keras"``: Wang et al.'s SSIM, Gaussian 11×11 with σ 1.5, population covariances, data
    range 255 (images at least 11×11). ``"cddfuse"``: scikit-image 0.19's defaults as the reference
    calls them on float32 0..255 images: 7×7 box window, sample covariances (``n / (n - 1)``) and a
    data range of 2, so ``C1 = 4e-4`` and ``C2 = 3.6e-3`` barely stabilise anything (images at least 7×7).
    """
    f, a, b = _sources(fused, ir, visible)
    if _checked(convention) == "cddfuse":
        return _ssim_box(f, a) + _ssim_box(f, b)
    from thermal_keras.metrics.image import ssim

    return float(ssim(a, f, data_range=255.0)) + float(ssim(b, f, data_range=255.0))


METRIC_NAMES = ("EN", "SD", "SF", "AG", "MI", "SCD", "VIF", "Qabf", "SSIM")


def all_metrics(fused, ir, visible, *, convention: str = "thermal_keras") -> dict[str, float]:
    """Every metric above for one image triple: ``{"EN": ..., ..., "SSIM": ...}`` (order of METRIC_NAMES).

    ``convention="cddfuse"`` uses the reference evaluator's AG, MI (nats), Qabf and SSIM.
    """
    f, a, b = _sources(fused, ir, visible)
    c = _checked(convention)
    return {
        "EN": entropy(f), "SD": std(f), "SF": spatial_frequency(f), "AG": average_gradient(f, convention=c),
        "MI": mutual_information(f, a, b, convention=c), "SCD": scd(f, a, b), "VIF": vif(f, a, b),
        "Qabf": qabf(f, a, b, convention=c), "SSIM": ssim_sum(f, a, b, convention=c),
    }
