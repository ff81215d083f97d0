"""FID/KID: Fréchet distance against an eigendecomposition formula, KID unbiasedness, streaming
statistics against np.cov, and the image path end to end with a randomly initialised InceptionV3."""

import numpy as np
import pytest

from thermal_keras import metrics
from thermal_keras.features import MissingWeightsError
from thermal_keras.metrics import distribution


def _gaussian_samples(rng, n, d, shift=0.0, scale=1.0):
    mixing = rng.normal(size=(d, d)) / np.sqrt(d)
    return rng.normal(size=(n, d)) @ mixing * scale + shift


def _frechet_by_eigh(mu1, s1, mu2, s2):
    """tr((S1 S2)^½) = Σ sqrt(eig(S1^½ S2 S1^½)): a symmetric problem, no sqrtm of a non-symmetric matrix."""
    w, v = np.linalg.eigh(s1)
    root1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    inner = np.linalg.eigvalsh(root1 @ s2 @ root1)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.sum(np.sqrt(np.clip(inner, 0, None))))


def test_frechet_distance_matches_direct_computation_on_gaussian_samples():
    rng = np.random.default_rng(0)
    x, y = _gaussian_samples(rng, 500, 16), _gaussian_samples(rng, 400, 16, shift=0.3, scale=1.5)
    mu1, s1, mu2, s2 = x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False)
    ours = metrics.frechet_distance(mu1, s1, mu2, s2)
    assert ours == pytest.approx(_frechet_by_eigh(mu1, s1, mu2, s2), abs=1e-6)
    assert ours > 1.0


def test_frechet_distance_of_known_gaussians_and_of_itself():
    # 1-D: (m1 - m2)² + (s1 - s2)² for standard deviations s1, s2.
    assert metrics.frechet_distance([1.0], [[4.0]], [3.0], [[9.0]]) == pytest.approx(4.0 + 1.0, abs=1e-9)
    rng = np.random.default_rng(1)
    x = _gaussian_samples(rng, 300, 8)
    mu, sigma = x.mean(0), np.cov(x, rowvar=False)
    assert metrics.frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_survives_singular_covariances():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(5, 32)), rng.normal(size=(5, 32))  # rank 4 covariances in 32 dimensions
    value = metrics.frechet_distance(x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False))
    assert np.isfinite(value) and value > 0


def test_frechet_distance_of_rank_one_covariances_is_exact():
    # sigma1 = u uᵀ, sigma2 = v vᵀ with u = (-1, 3, 3, 3), v = (-2, -3, -1, 1): |u|² = 28, |v|² = 15,
    # u·v = 2 - 9 - 3 + 3 = -7. sigma1 sigma2 = (u·v) u vᵀ has rank 1; its one non-zero eigenvalue
    # (eigenvector u) is (u·v)² = 49, so tr((sigma1 sigma2)^½) = |u·v| = 7. With mu1 = 0 and
    # mu2 = (1, 2, 3, 4), |mu1 - mu2|² = 30, and the distance is 30 + 28 + 15 - 2·7 = 59 exactly.
    # (scipy.linalg.sqrtm of the non-symmetric singular product returned imaginary parts up to 0.49.)
    u, v = np.array([-1.0, 3.0, 3.0, 3.0]), np.array([-2.0, -3.0, -1.0, 1.0])
    value = metrics.frechet_distance(np.zeros(4), np.outer(u, u), np.array([1.0, 2.0, 3.0, 4.0]), np.outer(v, v))
    assert value == pytest.approx(59.0, abs=1e-9)
    # Scaled by 4 in every coordinate (sigma by 16), the distance scales by 16: 944, still exact.
    value = metrics.frechet_distance(np.zeros(4), 16 * np.outer(u, u), 4 * np.array([1.0, 2.0, 3.0, 4.0]),
                                     16 * np.outer(v, v))
    assert value == pytest.approx(16 * 59.0, abs=1e-8)


def test_frechet_distance_of_two_samples_a_side_equals_the_low_rank_form():
    rng = np.random.default_rng(9)  # two samples: rank-1 covariances in 16 dimensions
    x, y = rng.normal(size=(2, 16)), rng.normal(size=(2, 16)) * 3 + 1
    value = metrics.frechet_distance(x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False))
    assert value == pytest.approx(distribution.frechet_distance_low_rank(x, y), abs=1e-9)


def test_frechet_distance_closed_forms_with_singular_covariances():
    # Diagonal covariances a, b commute: the distance is |mu1 - mu2|² + Σ (sqrt(a) - sqrt(b))².
    a, b = np.array([4.0, 0.0, 9.0, 1.0, 0.0, 2.25]), np.array([1.0, 16.0, 0.0, 1.0, 0.0, 6.25])
    mu1, mu2 = np.array([1.0, 0.0, 0.0, 2.0, 0.0, -1.0]), np.array([0.0, 0.0, 3.0, 0.0, 1.0, 1.0])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)  # 19 + 27 = 46
    assert metrics.frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, abs=1e-9)
    # The same, rotated: Q diag(a) Qᵀ and Q diag(b) Qᵀ still commute, the distance is unchanged.
    q, _ = np.linalg.qr(np.random.default_rng(10).normal(size=(6, 6)))
    rotated = metrics.frechet_distance(q @ mu1, q @ np.diag(a) @ q.T, q @ mu2, q @ np.diag(b) @ q.T)
    assert rotated == pytest.approx(expected, abs=1e-9)
    # Identical Gaussians with a singular (rank 3 of 8) covariance: 0.
    x = np.random.default_rng(11).normal(size=(4, 8))
    mu, sigma = x.mean(0), np.cov(x, rowvar=False)
    assert metrics.frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("sigma,fragment", [
    (np.diag([1.0, -1.0]), "sigma2 has a negative eigenvalue"),
    (np.array([[1.0, 0.5], [0.0, 1.0]]), "sigma2 is not symmetric"),
    (np.array([[1.0, np.nan], [np.nan, 1.0]]), "sigma2 holds NaN or inf"),
])
def test_frechet_distance_refuses_matrices_that_are_no_covariance(sigma, fragment):
    with pytest.raises(ValueError) as refused:
        metrics.frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), sigma)
    assert fragment in str(refused.value) and "\n" not in str(refused.value)


def test_low_rank_form_equals_sqrtm_for_small_and_large_sets():
    rng = np.random.default_rng(8)
    for n_real, n_fake in ((5, 7), (300, 200)):  # singular (n < d = 24) and full-rank covariances
        x, y = _gaussian_samples(rng, n_real, 24), _gaussian_samples(rng, n_fake, 24, shift=0.2)
        direct = _frechet_by_eigh(x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False))
        assert distribution.frechet_distance_low_rank(x, y) == pytest.approx(direct, abs=1e-6)
    assert metrics.frechet_distance(x.mean(0), np.cov(x, rowvar=False), y.mean(0),
                                    np.cov(y, rowvar=False)) == pytest.approx(direct, abs=1e-6)


def test_frechet_distance_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="sigma1 and sigma2"):
        metrics.frechet_distance(np.zeros(3), np.eye(3), np.zeros(3), np.eye(4))


def test_mmd2_unbiased_matches_an_explicit_double_loop():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(6, 4)), rng.normal(size=(7, 4)) + 0.5
    k = lambda a, b: (a @ b / 4 + 1) ** 3  # noqa: E731
    xx = sum(k(x[i], x[j]) for i in range(6) for j in range(6) if i != j) / 30
    yy = sum(k(y[i], y[j]) for i in range(7) for j in range(7) if i != j) / 42
    xy = sum(k(x[i], y[j]) for i in range(6) for j in range(7)) / 42
    assert distribution.mmd2_unbiased(x, y) == pytest.approx(xx + yy - 2 * xy, rel=1e-12)


def test_kid_is_unbiased_on_equal_distributions():
    rng = np.random.default_rng(4)
    estimates, biased = [], []
    for _ in range(200):  # many small independent samples from one distribution
        x, y = rng.normal(size=(10, 8)), rng.normal(size=(10, 8))
        estimates.append(distribution.mmd2_unbiased(x, y))
        kxx, kyy, kxy = (distribution.polynomial_kernel(p, q) for p, q in ((x, x), (y, y), (x, y)))
        biased.append(kxx.mean() + kyy.mean() - 2 * kxy.mean())  # V-statistic, keeps the diagonals
    standard_error = np.std(estimates) / np.sqrt(len(estimates))
    assert abs(np.mean(estimates)) < 3 * standard_error
    assert np.mean(biased) > 10 * standard_error  # the biased estimate is clearly positive


def test_kid_separates_shifted_distributions_and_reports_spread():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(200, 8)), rng.normal(size=(200, 8)) + 1.0
    mean, std = distribution.kid_from_features(x, y, num_subsets=20, subset_size=50)
    same_mean, _ = distribution.kid_from_features(x, rng.normal(size=(200, 8)), num_subsets=20, subset_size=50)
    assert mean > 10 * abs(same_mean) and std > 0


def test_streaming_statistics_equal_numpy_on_the_whole_set():
    rng = np.random.default_rng(6)
    x = _gaussian_samples(rng, 257, 12, shift=1e3)  # a large offset would ruin raw sums of squares
    stats = distribution.FeatureStatistics()
    for start in range(0, 257, 50):
        stats.update(x[start:start + 50])
    assert stats.count == 257
    np.testing.assert_allclose(stats.mean, x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(stats.covariance, np.cov(x, rowvar=False), rtol=1e-9, atol=1e-12)


@pytest.fixture(scope="module")
def random_inception():
    return distribution.inception_extractor(weights=None)


def test_fid_and_kid_end_to_end_with_a_random_extractor(random_inception):
    rng = np.random.default_rng(7)
    real = rng.uniform(-1, 1, size=(5, 40, 40, 1)).astype("float32")  # grey: replicated for Inception
    fake = np.clip(real * 0.2 + 0.7, -1, 1)
    features = np.concatenate(list(distribution.inception_features(real, random_inception, batch_size=4)))
    assert features.shape == (5, 2048) and features.dtype == np.float32
    assert metrics.fid(real, real, extractor=random_inception, batch_size=4) == pytest.approx(0.0, abs=1e-6)
    scores = distribution.distribution_scores(real, fake, extractor=random_inception, num_subsets=5)
    assert scores["fid"] > 0 and scores["kid_mean"] > 0
    assert scores["kid_subset_size"] == 5 and scores["n_real"] == scores["n_fake"] == 5
    fake_features = np.concatenate(list(distribution.inception_features(fake, random_inception)))
    assert scores["fid"] == pytest.approx(distribution.frechet_distance_low_rank(features, fake_features), rel=1e-5)
    kid_mean, _ = metrics.kid(iter([real[:3], real[3:]]), fake, extractor=random_inception, num_subsets=5)
    assert kid_mean == pytest.approx(scores["kid_mean"], rel=1e-4)  # batches of any split: same features


def test_inception_input_resizes_and_replicates_grey():
    grey = np.linspace(-1, 1, 2 * 64 * 64).reshape(2, 64, 64, 1).astype("float32")
    x = np.asarray(distribution.inception_input(grey))
    assert x.shape == (2, 299, 299, 3)
    np.testing.assert_array_equal(x[..., 0], x[..., 2])
    assert -1.0 <= x.min() and x.max() <= 1.0


def test_missing_weights_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(MissingWeightsError, match="inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"):
        metrics.fid(np.zeros((2, 32, 32, 3)), np.zeros((2, 32, 32, 3)))


def test_one_image_sets_are_refused(random_inception):
    with pytest.raises(ValueError, match="at least 2"):
        metrics.fid(np.zeros((1, 32, 32, 3)), np.zeros((3, 32, 32, 3)), extractor=random_inception)
