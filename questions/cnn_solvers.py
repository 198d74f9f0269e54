"""Reference solvers for the CNN bank (instructor code, trusted).

Each function is the textbook computation written plainly, so that a
reader can check it against the seed sheets. Matrices are returned as
nested lists or sympy matrices; the grader normalises them.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy


def conv_output_size(I: int, F: int, P: int, S: int) -> int:
    """Output width of a convolution: floor((I - F + 2P) / S) + 1."""
    return (I - F + 2 * P) // S + 1


def same_padding(F: int, S: int = 1) -> int:
    """Padding per side that keeps the size for stride 1 and an odd kernel."""
    if S != 1 or F % 2 == 0:
        raise ValueError("'same' padding by this formula needs stride 1 and an odd kernel")
    return (F - 1) // 2


def stacked_3x3_layers(F: int) -> int:
    """How many stacked 3x3 (stride 1) layers see an F x F receptive field: 1 + 2n = F."""
    if F % 2 == 0 or F < 3:
        raise ValueError("F must be odd and at least 3")
    return (F - 1) // 2


def stacked_weight_saving_percent(F: int) -> float:
    """Percent of weights saved by stacked 3x3 filters against one F x F filter."""
    layers = stacked_3x3_layers(F)
    return (F * F - 9 * layers) / (F * F) * 100


def conv1d_same_matrix(k: list, n: int, flip: int = 0) -> sympy.Matrix:
    """The n x n matrix of a 'same'-padded 1-D cross-correlation with kernel k.

    Row i holds the kernel centred on column i: x'_i = sum_t k_t x_{i+t-p}.
    ``flip=1`` gives the flipped kernel (true convolution), a common mistake.
    """
    kernel = _flat(k)
    kernel = kernel[::-1] if flip else kernel
    size = len(kernel)
    pad = (size - 1) // 2
    rows = [[kernel[j - i + pad] if 0 <= j - i + pad < size else 0 for j in range(n)] for i in range(n)]
    return sympy.Matrix(rows)


def conv1d_symbolic_matrix(n: int, size: int = 3, flip: int = 0) -> sympy.Matrix:
    """conv1d_same_matrix with the symbolic kernel k1, k2, ..., k_size."""
    return conv1d_same_matrix(sympy.symbols(f"k1:{size + 1}"), n, flip)


def unshared_weight_count(n: int, size: int) -> int:
    """Distinct weights when every row of the 'same' conv matrix has its own kernel.

    Row i keeps only the taps that land inside the input (the rest hit padding).
    """
    pad = (size - 1) // 2
    return sum(sum(1 for t in range(size) if 0 <= i + t - pad < n) for i in range(n))


def conv2d_matrix(K: np.ndarray, H: int, W: int, flip: int = 0) -> np.ndarray:
    """The matrix A with A @ x.flatten() == valid cross-correlation of an H x W input with K.

    Rows are output positions and columns input positions, both row-major.
    """
    kernel = np.asarray(K)
    if flip:
        kernel = kernel[::-1, ::-1]
    kh, kw = kernel.shape
    out_h, out_w = H - kh + 1, W - kw + 1
    A = np.zeros((out_h * out_w, H * W), dtype=kernel.dtype)
    for r in range(out_h):
        for c in range(out_w):
            for i in range(kh):
                for j in range(kw):
                    A[r * out_w + c, (r + i) * W + (c + j)] = kernel[i, j]
    return A


def conv2d_valid(X: np.ndarray, K: np.ndarray, flip: int = 0) -> np.ndarray:
    """Valid cross-correlation of X with K (what deep-learning 'conv' layers compute)."""
    X, kernel = np.asarray(X), np.asarray(K)
    if flip:
        kernel = kernel[::-1, ::-1]
    kh, kw = kernel.shape
    out = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1), dtype=np.result_type(X, kernel))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.sum(X[r : r + kh, c : c + kw] * kernel)
    return out


def _flat(values) -> list:
    return np.ravel(np.asarray(values, dtype=object)).tolist() if isinstance(values, np.ndarray) else list(values)


def as_vector(values) -> np.ndarray:
    """A 1 x n matrix parameter as a plain vector."""
    return np.ravel(np.asarray(values)).astype(float)


def count_conv_params(F: int, C: int, K: int) -> int:
    """Weights of a conv layer with K filters of size F x F over C channels (no biases)."""
    return F * F * C * K


def conv1d_same_numeric(k, n: int) -> np.ndarray:
    """conv1d_same_matrix for a numeric kernel, as a float array (what the notebook returns)."""
    return np.array(conv1d_same_matrix(_flat(k), n).tolist(), dtype=float)


def circular_conv_layer(k):
    """A 1-D circular cross-correlation layer with kernel k (shift-equivariant by construction)."""
    kernel = np.ravel(np.asarray(k, dtype=float))
    pad = (len(kernel) - 1) // 2

    def layer(x):
        x = np.asarray(x, dtype=float)
        return np.array([sum(kernel[t] * x[(i + t - pad) % len(x)] for t in range(len(kernel))) for i in range(len(x))])

    layer.label = f"conv_layer(k={kernel.tolist()})"
    return layer


def dense_layer(W):
    """A fully connected layer x -> W x with the given random weights (not shift-equivariant)."""
    weights = np.asarray(W, dtype=float)

    def layer(x):
        return weights @ np.asarray(x, dtype=float)

    layer.label = f"dense_layer(W of shape {weights.shape[0]}x{weights.shape[1]})"
    return layer


def translation_gap(layer, x, s: int) -> float:
    """How far a layer is from commuting with a circular shift by s: max |f(shift x) - shift f(x)|."""
    x = np.asarray(x, dtype=float)
    return float(np.max(np.abs(layer(np.roll(x, s)) - np.roll(layer(x), s))))


# Mistake variants of conv_output_size: the grader evaluates each on the student's variant like a declared
# mistake; the note is the name after "__" and the feedback is the first paragraph of the docstring.


def conv_output_size__subtracted_padding(I: int, F: int, P: int, S: int) -> Fraction:
    """Padding makes the input larger: it enters as + 2P, not - 2P."""
    return Fraction(I - F - 2 * P, S) + 1


def conv_output_size__added_kernel(I: int, F: int, P: int, S: int) -> Fraction:
    """The kernel size is subtracted from the padded input (the window must fit inside it), not added."""
    return Fraction(I + F + 2 * P, S) + 1

