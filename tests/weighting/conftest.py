import numpy as np
import pytest


def perron(a):
    """Independent reference: numpy's dense eig, Perron root = eigenvalue of largest real part."""
    vals, vecs = np.linalg.eig(np.asarray(a, dtype=float))
    j = int(np.argmax(vals.real))
    v = np.abs(vecs[:, j].real)
    return v / v.sum(), float(vals[j].real)


def consistent_matrix(w):
    w = np.asarray(w, dtype=float)
    return w[:, None] / w[None, :]


def random_reciprocal(rng, k, n, scale=True):
    iu = np.triu_indices(n, 1)
    if scale:
        s = np.array([1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        v = rng.choice(s, size=(k, len(iu[0])))
    else:
        v = np.exp(rng.normal(0, 1.2, size=(k, len(iu[0]))))
    a = np.ones((k, n, n))
    a[:, iu[0], iu[1]] = v
    a[:, iu[1], iu[0]] = 1 / v
    return a


@pytest.fixture
def rng():
    return np.random.default_rng(20261128)
