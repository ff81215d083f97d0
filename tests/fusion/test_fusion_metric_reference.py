"""The nine fusion metrics pinned on small fixed arrays, in both conventions.

``convention="thermal_keras"`` is ours; ``"cddfuse"`` is the definition of the evaluator most published
tables come from (MMIF-CDDFuse ``utils/Evaluator.py`` with scikit-image 0.19). Expected values are
derived by hand (the arithmetic is in the comments) or from the formula written out here in the most
direct form (loops over pixels and windows), never from the module under test. docs/fusion.md has
the table of what differs and why.
"""

import math

import numpy as np
import pytest
from skimage.metrics import structural_similarity

from thermal_keras.metrics import fusion

LN2 = math.log(2.0)


# Xydeas & Petrović's sigmoids, written out: strength (0.9994, -15, 0.5), orientation (0.9879, -22, 0.8).
def _q_strength(g):
    return 0.9994 / (1.0 + np.exp(-15.0 * (g - 0.5)))


def _q_orientation(alpha):
    return 0.9879 / (1.0 + np.exp(-22.0 * (alpha - 0.8)))


Q_MAX = float(_q_strength(1.0) * _q_orientation(1.0))  # perfect transfer: ratio 1, orientation 1


def _grid_1_to_16():
    return np.arange(1.0, 17.0).reshape(4, 4)  # +1 along rows, +4 down columns


def _integer_scene(seed, size=8):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size]
    smooth = 120 + 70 * np.sin(x / 2.0 + seed) * np.cos(y / 3.0)
    return np.rint(np.clip(smooth + rng.normal(0, 15, (size, size)), 0, 255))


# ---------------------------------------------------------------- EN, SD, SF: both conventions agree


def test_entropy_pinned_and_zero_for_a_constant_image():
    # Levels 0 (8 pixels), 50 (4), 100 (2), 200 (2): p = 1/2, 1/4, 1/8, 1/8 -> 0.5 + 0.5 + 0.375 + 0.375 bits.
    image = np.array([[0, 0, 0, 0], [0, 0, 0, 0], [50, 50, 50, 50], [100, 100, 200, 200]], dtype=float)
    assert fusion.entropy(image) == pytest.approx(1.75, abs=1e-12)
    assert fusion.entropy(image + 0.4) == pytest.approx(1.75, abs=1e-12)  # rounded to grey levels first
    assert fusion.entropy(np.full((4, 4), 93.0)) == 0.0


def test_standard_deviation_and_spatial_frequency_pinned():
    grid = _grid_1_to_16()
    # Population variance of 1..16 is (16² - 1) / 12 = 21.25.
    assert fusion.std(grid) == pytest.approx(math.sqrt(21.25), abs=1e-12)
    # Every horizontal step is 1 (RF² = 1) and every vertical step 4 (CF² = 16).
    assert fusion.spatial_frequency(grid) == pytest.approx(math.sqrt(17.0), abs=1e-12)


# ---------------------------------------------------------------- AG: forward (ours) vs central differences


def test_average_gradient_pinned_in_both_conventions():
    grid = _grid_1_to_16()
    # A plane: forward, central and one-sided differences are all (1, 4): sqrt((1 + 16) / 2) everywhere.
    for convention in fusion.CONVENTIONS:
        assert fusion.average_gradient(grid, convention=convention) == pytest.approx(math.sqrt(8.5), abs=1e-12)
    spike = np.zeros((4, 4))
    spike[1, 1] = 8.0
    # Forward, over the 3×3 pixels with both neighbours: (0, 1) has Δy = 8, (1, 0) has Δx = 8 (√32 each),
    # (1, 1) has Δx = Δy = -8 (8): (8 + 8√2) / 9.
    assert fusion.average_gradient(spike) == pytest.approx((8 + 8 * math.sqrt(2)) / 9, abs=1e-12)
    # Central inside, one-sided on the border, over all 16 pixels: Gx = 8 at (1, 0) and -4 at (1, 2),
    # Gy = 8 at (0, 1) and -4 at (2, 1), 0 at the spike itself: (2·4√2 + 2·2√2) / 16.
    assert fusion.average_gradient(spike, convention="cddfuse") == pytest.approx(12 * math.sqrt(2) / 16, abs=1e-12)


# ---------------------------------------------------------------- MI: bits (ours) vs nats


def _mi_direct(x, y, log):
    """Σ p(x, y) log(p(x, y) / (p(x) p(y))) over the distinct values, by counting pairs."""
    pairs = list(zip(x.ravel().tolist(), y.ravel().tolist()))
    n = len(pairs)
    total = 0.0
    for pair in set(pairs):
        p_xy = pairs.count(pair) / n
        p_x = sum(1 for a, _ in pairs if a == pair[0]) / n
        p_y = sum(1 for _, b in pairs if b == pair[1]) / n
        total += p_xy * log(p_xy / (p_x * p_y))
    return total


def test_mutual_information_pinned_bits_and_nats():
    ir = np.array([[0] * 4, [0] * 4, [200] * 4, [200] * 4], dtype=float)
    fused = np.array([[0] * 4, [90] * 4, [90] * 4, [90] * 4], dtype=float)
    flat = np.full((4, 4), 60.0)  # shares nothing with anything: MI 0
    # Pairs (0, 0) ×4, (0, 90) ×4, (200, 90) ×8: MI = H(F) - H(F | A) = H(1/4, 3/4) - 1/2 · 1 bit.
    bits = 2 - 0.75 * math.log2(3) - 0.5
    assert fusion.mutual_information(fused, ir, flat) == pytest.approx(bits, abs=1e-12)
    assert fusion.mutual_information(fused, ir, flat, convention="cddfuse") == pytest.approx(bits * LN2, abs=1e-12)
    assert _mi_direct(ir, fused, math.log2) == pytest.approx(bits, abs=1e-12)


def test_mutual_information_against_the_direct_sum_and_symmetric():
    a, b = _integer_scene(1), _integer_scene(2)
    f = np.rint(0.5 * (a + b))
    expected_bits = _mi_direct(a, f, math.log2) + _mi_direct(b, f, math.log2)
    expected_nats = _mi_direct(a, f, math.log) + _mi_direct(b, f, math.log)
    assert fusion.mutual_information(f, a, b) == pytest.approx(expected_bits, abs=1e-9)
    assert fusion.mutual_information(f, a, b, convention="cddfuse") == pytest.approx(expected_nats, abs=1e-9)
    for convention in fusion.CONVENTIONS:
        # Symmetric in its two sources, and each term in its two images.
        assert fusion.mutual_information(f, a, b, convention=convention) == pytest.approx(
            fusion.mutual_information(f, b, a, convention=convention), abs=1e-12)
        flat = np.full_like(a, 3.0)
        assert fusion.mutual_information(a, f, flat, convention=convention) == pytest.approx(
            fusion.mutual_information(f, a, flat, convention=convention), abs=1e-12)
    # MI(X, X) = H(X): in bits it is EN itself.
    assert fusion.mutual_information(a, a, np.full_like(a, 3.0)) == pytest.approx(fusion.entropy(a), abs=1e-12)


# ---------------------------------------------------------------- SCD: both conventions agree


def test_scd_against_pearson_correlations():
    a, b = _integer_scene(3), _integer_scene(4)
    f = np.rint(0.6 * a + 0.4 * b)
    expected = np.corrcoef((f - b).ravel(), a.ravel())[0, 1] + np.corrcoef((f - a).ravel(), b.ravel())[0, 1]
    assert fusion.scd(f, a, b) == pytest.approx(expected, abs=1e-12)
    # F = A: F - A is constant, a term with no variance counted 0 (the reference's 0 / 0 is NaN).
    assert fusion.scd(a, a, b) == pytest.approx(np.corrcoef((a - b).ravel(), a.ravel())[0, 1], abs=1e-12)


# ---------------------------------------------------------------- VIF: both conventions agree


def _gaussian(n):
    g = np.exp(-((np.arange(n) - (n - 1) / 2) ** 2) / (2 * (n / 5) ** 2))
    w = np.outer(g, g)
    return w / w.sum()


def _vif_direct(ref, dist):
    """Sheikh & Bovik's pixel-domain VIF, one window position at a time, with the reference's rules."""
    eps, noise_var = 1e-10, 2.0
    num = den = 0.0
    for scale in (1, 2, 3, 4):
        n = 2 ** (5 - scale) + 1
        w = _gaussian(n)

        def stats(x, y):
            rows, cols = x.shape[0] - n + 1, x.shape[1] - n + 1
            out = np.zeros((5, rows, cols))
            for i in range(rows):
                for j in range(cols):
                    px, py = x[i:i + n, j:j + n], y[i:i + n, j:j + n]
                    out[:, i, j] = [np.sum(w * px), np.sum(w * py), np.sum(w * px * px),
                                    np.sum(w * py * py), np.sum(w * px * py)]
            return out

        if scale > 1:
            ref, dist = stats(ref, dist)[:2, ::2, ::2]
        mu_r, mu_d, rr, dd, rd = stats(ref, dist)
        for k in np.ndindex(mu_r.shape):
            var_r, var_d = max(rr[k] - mu_r[k] ** 2, 0.0), max(dd[k] - mu_d[k] ** 2, 0.0)
            cov = rd[k] - mu_r[k] * mu_d[k]
            g = cov / (var_r + eps)
            sv = var_d - g * cov
            if var_r < eps:
                g, sv, var_r = 0.0, var_d, 0.0
            if var_d < eps:
                g, sv = 0.0, 0.0
            if g < 0:
                g, sv = 0.0, var_d
            sv = max(sv, eps)
            num += math.log10(1 + g * g * var_r / (sv + noise_var))
            den += math.log10(1 + var_r / noise_var)
    return num / den if den > 0 else 1.0


def test_vif_against_the_direct_window_loop():
    a, b = _integer_scene(5, size=44), _integer_scene(6, size=44)
    f = np.rint(0.5 * (a + b))
    assert fusion.vif_single(a, f) == pytest.approx(_vif_direct(a, f), abs=1e-9)
    assert fusion.vif(f, a, b) == pytest.approx(_vif_direct(a, f) + _vif_direct(b, f), abs=1e-9)
    assert fusion.all_metrics(f, a, b, convention="cddfuse")["VIF"] == fusion.vif(f, a, b)


def test_vif_of_a_checkerboard_by_hand():
    # x = 120 ± 40 in a checkerboard. With the 17×17 window (sigma 17/5), every local mean is
    # 120 ± 40 m with m = (Σ g_d (-1)^d / Σ g_d)², so every local variance is 40² (1 - m²); from scale 2
    # on the low-passed, subsampled image is flat and adds 0 to both sums. A noise-free gain c
    # gives g = c and σ_v² ≈ 0, so VIF = log10(1 + c² σ² / 2) / log10(1 + σ² / 2).
    i, j = np.mgrid[0:41, 0:41]
    board = 120.0 + 40.0 * (-1.0) ** (i + j)
    g = np.exp(-((np.arange(17) - 8.0) ** 2) / (2 * 3.4**2))
    m = (np.sum(g * (-1.0) ** np.arange(17)) / g.sum()) ** 2
    var = 40.0**2 * (1 - m * m)
    for gain in (0.5, 1.0, 2.0):
        expected = math.log10(1 + gain * gain * var / 2) / math.log10(1 + var / 2)
        assert fusion.vif_single(board, gain * board + 7.0) == pytest.approx(expected, abs=1e-9)


def test_vif_extremes_when_the_fused_image_is_a_source():
    a, b = _integer_scene(7, size=48), _integer_scene(8, size=48)
    assert fusion.vif_single(a, a) == pytest.approx(1.0, abs=1e-9)  # all of A's information kept
    assert fusion.vif(a, a, b) == pytest.approx(1.0 + fusion.vif_single(b, a), abs=1e-9)
    assert fusion.vif_single(a, np.full_like(a, 90.0)) == 0.0  # a flat fused image keeps nothing
    # A flat source has nothing to lose: 0 / 0, scored 1 as the reference evaluator does.
    assert fusion.vif_single(np.full_like(a, 90.0), b) == 1.0


# ---------------------------------------------------------------- Qabf: ours vs the reference's


def _qabf_direct(fused, ir, visible, reference: bool):
    """Qabf with a pixel loop. ``reference``: zero padding, the x kernel flipped as a true convolution
    flips it, orientation difference 1 - |Δα|/(π/2) and the MATLAB rule (ratio = g_F where strengths
    are equal); otherwise edge padding, orientation folded modulo π, ratio 1 where both are equal."""
    weights = (1.0, 2.0, 1.0)

    def edges(image):
        p = np.pad(image, 1, mode="constant" if reference else "edge")
        g, alpha = np.zeros_like(image), np.zeros_like(image)
        for i, j in np.ndindex(image.shape):
            w = p[i:i + 3, j:j + 3]
            right_minus_left = sum(k * (w[r, 2] - w[r, 0]) for r, k in enumerate(weights))
            below_minus_above = sum(k * (w[2, c] - w[0, c]) for c, k in enumerate(weights))
            x = -right_minus_left if reference else right_minus_left
            g[i, j] = math.sqrt(x * x + below_minus_above**2)
            alpha[i, j] = math.pi / 2 if x == 0 else math.atan(below_minus_above / x)
        return g, alpha

    def preserved(src, fus):
        (g_x, a_x), (g_f, a_f) = src, fus
        q = np.zeros_like(g_x)
        for k in np.ndindex(g_x.shape):
            if g_x[k] == g_f[k]:
                ratio = g_f[k] if reference else 1.0
            else:
                ratio = min(g_x[k], g_f[k]) / max(g_x[k], g_f[k])
            diff = abs(a_x[k] - a_f[k])
            alpha = 1 - diff / (math.pi / 2) if reference else abs(diff - math.pi / 2) / (math.pi / 2)
            q[k] = _q_strength(ratio) * _q_orientation(alpha)
        return q

    ef, ea, eb = edges(fused), edges(ir), edges(visible)
    return float(np.sum(preserved(ea, ef) * ea[0] + preserved(eb, ef) * eb[0]) / np.sum(ea[0] + eb[0]))


@pytest.mark.parametrize("convention", ["thermal_keras", "cddfuse"])
def test_qabf_against_the_direct_pixel_loop(convention):
    a, b = _integer_scene(9), _integer_scene(10)
    for f in (np.rint(0.5 * (a + b)), np.rint(np.maximum(a, b)), a[::-1].copy(), 255.0 - a):
        expected = _qabf_direct(f, a, b, reference=convention == "cddfuse")
        assert fusion.qabf(f, a, b, convention=convention) == pytest.approx(expected, abs=1e-12)


def test_qabf_of_a_halved_step_by_hand():
    step = np.zeros((4, 4))
    step[:, 2:] = 100.0
    # Edge padding: columns 1 and 2 have gx = (1 + 2 + 1) · 100 = 400 and gy = 0 (α = 0 everywhere);
    # F = step / 2 halves it: ratio 1/2 (sigmoid centre), same orientation; B flat weighs nothing.
    expected = float(_q_strength(0.5) * _q_orientation(1.0))
    assert fusion.qabf(step / 2, step, np.full((4, 4), 30.0)) == pytest.approx(expected, abs=1e-12)


def test_qabf_extremes_when_the_fused_image_is_a_source():
    a = _integer_scene(11)
    # Ours: every edge kept exactly scores Q_max, whatever the strengths.
    assert fusion.qabf(a, a, np.full_like(a, 50.0)) == pytest.approx(Q_MAX, abs=1e-12)
    # The reference: ratio = g_F >= 1 where the strengths are equal, so a copy scores above Q_max;
    # with strengths >= 100 (a step of 100 against the zero frame; B = 0 has no frame edge) the strength
    # sigmoid is 0.9994 exactly.
    step = np.zeros((6, 6))
    step[:, 3:] = 100.0
    reference_max = float(0.9994 * _q_orientation(1.0))
    assert fusion.qabf(step, step, np.zeros((6, 6)), convention="cddfuse") == pytest.approx(reference_max, abs=1e-12)
    copy = fusion.qabf(a, a, np.zeros_like(a), convention="cddfuse")
    assert Q_MAX < copy <= reference_max
    # A flat fused image loses every edge ...
    assert fusion.qabf(np.full_like(a, 50.0), a, a) < 1e-3
    assert fusion.qabf(np.zeros_like(a), a, a, convention="cddfuse") < 1e-3
    # ... except, in the reference, the frame that zero padding draws around any non-zero image.
    assert fusion.qabf(np.full_like(a, 50.0), a, a, convention="cddfuse") > 0.05


def test_qabf_reference_scores_opposite_slopes_near_vertical_as_opposite():
    # Gradients (±8, 80) inside, at ±84° from the x axis, are lines 11° apart: ours scores the orientation
    # ||168.6°| - 90°| / 90° = 0.87 (sigmoid 0.82); the reference scores 1 - 168.6° / 90° < 0, no transfer.
    y, x = np.mgrid[0:16, 0:16].astype(float)
    up = 10 * y + x
    down = 10 * y - x + 20
    ours = fusion.qabf(down, up, np.full_like(up, 5.0))
    assert ours == pytest.approx(_qabf_direct(down, up, np.full_like(up, 5.0), reference=False), abs=1e-12)
    zero = np.zeros_like(up)
    reference = fusion.qabf(down, up, zero, convention="cddfuse")
    assert reference == pytest.approx(_qabf_direct(down, up, zero, reference=True), abs=1e-12)
    assert ours > 0.5 > reference


def test_qabf_reference_orientation_depends_on_the_sign_of_a_tilt():
    # A's rows are level (x response 0: orientation π/2 in both conventions). F tilted by +1 or -1 a
    # column is 5.7° off either way: ours scores both alike. The reference's x response is -gx, so
    # the + tilt lands at -84.3° (174° from π/2) and only the - tilt counts as kept.
    y, x = np.mgrid[0:16, 0:16].astype(float)
    level, plus, minus = 10 * y, 10 * y + x, 10 * y - x + 20
    flat, zero = np.full_like(level, 5.0), np.zeros_like(level)
    assert fusion.qabf(plus, level, flat) == pytest.approx(fusion.qabf(minus, level, flat), abs=1e-12)
    reference_plus = fusion.qabf(plus, level, zero, convention="cddfuse")
    reference_minus = fusion.qabf(minus, level, zero, convention="cddfuse")
    assert reference_plus == pytest.approx(_qabf_direct(plus, level, zero, reference=True), abs=1e-12)
    assert reference_minus == pytest.approx(_qabf_direct(minus, level, zero, reference=True), abs=1e-12)
    assert reference_minus > reference_plus + 0.15


# ---------------------------------------------------------------- SSIM: Wang et al. (ours) vs skimage 0.19 defaults


def _ssim_box_direct(x, y, data_range=2.0):
    """Mean over every 7×7 window inside the image; sample (n - 1) variances and covariance."""
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    values = []
    for i in range(x.shape[0] - 6):
        for j in range(x.shape[1] - 6):
            px, py = x[i:i + 7, j:j + 7].ravel(), y[i:i + 7, j:j + 7].ravel()
            mx, my = px.mean(), py.mean()
            vx, vy, cxy = px.var(ddof=1), py.var(ddof=1), np.cov(px, py)[0, 1]
            values.append((2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2)))
    return float(np.mean(values))


def test_ssim_of_a_shifted_ramp_by_hand():
    # y = x + 20 has the same variance and covariance as x, so SSIM = (2 μx μy + C1) / (μx² + μy² + C1).
    ramp7 = 76.0 + np.arange(49.0).reshape(7, 7)  # one 7×7 window, mean 100
    expected = (2 * 100 * 120 + 4e-4) / (100**2 + 120**2 + 4e-4)  # C1 = (0.01 · 2)²
    assert fusion.ssim_sum(ramp7 + 20, ramp7, ramp7, convention="cddfuse") == pytest.approx(2 * expected, abs=1e-12)
    i, j = np.mgrid[0:11, 0:11]
    # One 11×11 window; the symmetric Gaussian's mean of a plane is its centre value, 10. Small values
    # keep float32 moments exact enough, and make C1 = (0.01 · 255)² = 6.5025 count (data range 2: 0.923).
    ramp11 = (i + j).astype(float)
    expected = (2 * 10 * 15 + 2.55**2) / (10**2 + 15**2 + 2.55**2)  # 0.92459
    assert fusion.ssim_sum(ramp11 + 5, ramp11, ramp11) == pytest.approx(2 * expected, abs=1e-5)


def test_ssim_reference_against_the_direct_loop_and_scikit_image():
    a, b = _integer_scene(12, size=10), _integer_scene(13, size=10)
    f = np.rint(0.5 * (a + b))
    expected = _ssim_box_direct(f, a) + _ssim_box_direct(f, b)
    assert fusion.ssim_sum(f, a, b, convention="cddfuse") == pytest.approx(expected, abs=1e-12)
    # What the reference runs: scikit-image's defaults, data range 2 as 0.19 guessed for float images.
    skimage = sum(structural_similarity(f, s, data_range=2.0) for s in (a, b))
    assert fusion.ssim_sum(f, a, b, convention="cddfuse") == pytest.approx(skimage, abs=1e-9)
    with pytest.raises(ValueError, match="7×7"):
        fusion.ssim_sum(f[:6, :6], a[:6, :6], b[:6, :6], convention="cddfuse")


def test_ssim_terms_of_identical_images_are_one():
    a = _integer_scene(14, size=16)
    for convention in fusion.CONVENTIONS:
        assert fusion.ssim_sum(a, a, a, convention=convention) == pytest.approx(2.0, abs=1e-6)
        other = fusion.ssim_sum(a, a, _integer_scene(15, size=16), convention=convention)
        assert 1.0 < other < 2.0


# ---------------------------------------------------------------- the switch


def test_all_metrics_switches_the_four_that_differ_and_rejects_unknown_conventions():
    # EN, SD, SF, SCD and VIF have one definition: the same numbers in both conventions.
    a, b = _integer_scene(16, size=48), _integer_scene(17, size=48)
    f = np.rint(0.5 * (a + b))
    ours, reference = fusion.all_metrics(f, a, b), fusion.all_metrics(f, a, b, convention="cddfuse")
    assert tuple(reference) == fusion.METRIC_NAMES
    assert {m for m in fusion.METRIC_NAMES if ours[m] != reference[m]} == {"AG", "MI", "Qabf", "SSIM"}
    assert reference["MI"] == pytest.approx(ours["MI"] * LN2, abs=1e-12)
    with pytest.raises(ValueError, match="convention must be one of"):
        fusion.all_metrics(f, a, b, convention="matlab")
    with pytest.raises(ValueError, match="convention must be one of"):
        fusion.qabf(f, a, b, convention="CDDFuse")
