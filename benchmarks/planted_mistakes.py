"""Planted mistakes: what students of the CNN sheets really answer, per seed question, with the note expected.

Each row is (question, part, name, answer, expected note). ``answer`` computes the wrong answer from the
variant's parameters, written here from the material (not from the engine's output), and returns what a
student would type. Used by ``benchmarks/bench_feedback.py`` (the rate named) and
``tests/test_misconceptions.py`` (the exact note on many variants).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

Params = dict[str, Any]

#: notes that state a true relation without naming a cause; a planted mistake answered by one is "not named"
#: (unless that relation is the planted mistake itself, like a factor of 1000)
GENERIC_NOTES = {"incorrect", "not-equivalent", "matrix-entries", "wrong-shape", "close", "off-by-one",
                 "off-by-two", "partial-entries", "invalid", "blank", "power-of-ten", "factor-100", "sign"}


@dataclass(frozen=True)
class Planted:
    question: str
    part: str
    name: str
    answer: Callable[[Params], Any]  # a number, a numpy matrix, or text
    note: str


def whole(value: Fraction | float) -> int:
    """How a student writes a result that is not whole on a whole-number part: rounded up from .5 (half up)."""
    return math.floor(Fraction(value) + Fraction(1, 2))


def _corr(X: np.ndarray, K: np.ndarray, pad: int = 0) -> np.ndarray:
    X = np.pad(np.asarray(X), pad)
    kh, kw = K.shape
    return np.array([[np.sum(X[r:r + kh, c:c + kw] * K) for c in range(X.shape[1] - kw + 1)]
                     for r in range(X.shape[0] - kh + 1)])


def _conv_matrix(K: np.ndarray, H: int, W: int, column_major_in: bool = False,
                 column_major_out: bool = False) -> np.ndarray:
    kh, kw = K.shape
    oh, ow = H - kh + 1, W - kw + 1
    A = np.zeros((oh * ow, H * W), dtype=int)
    for r in range(oh):
        for c in range(ow):
            row = c * oh + r if column_major_out else r * ow + c
            for i in range(kh):
                for j in range(kw):
                    col = (c + j) * H + (r + i) if column_major_in else (r + i) * W + (c + j)
                    A[row, col] = K[i, j]
    return A


def _toeplitz(n: int, size: int, offset: int = 0, circular: bool = False, flip: bool = False) -> list[list[str]]:
    """Rows of the same-padded 1-D cross-correlation matrix as text, k1..k_size; ``offset`` shifts the band."""
    pad = (size - 1) // 2
    names = [f"k{t + 1}" for t in range(size)]
    names = names[::-1] if flip else names
    rows = []
    for i in range(n):
        row = ["0"] * n
        for t in range(size):
            j = i + t - pad + offset
            if circular:
                j %= n
            if 0 <= j < n:
                row[j] = names[t]
        rows.append(row)
    return rows


def matrix_text(rows: Any) -> str:
    rows = rows.tolist() if isinstance(rows, np.ndarray) else rows
    return "[" + "; ".join(" ".join(str(cell) for cell in row) for row in rows) + "]"


def _saving(F: int) -> Fraction:
    n = (F - 1) // 2
    return Fraction(100 * (F * F - 9 * n), F * F)


def _thousands_or_ten_times(total: int) -> int:
    """Given in thousands when that is whole, else with one zero too many."""
    return total // 1000 if total % 1000 == 0 else total * 10


def _arr(p: Params, name: str) -> np.ndarray:
    return np.array(p[name])


PLANTED: list[Planted] = [
    # 000 Q2.1: weights of a fully connected layer
    Planted("fc-weights", "a", "left out the channels", lambda p: p["H"] ** 2 * p["N"], "forgot-depth"),
    Planted("fc-weights", "a", "one neuron only", lambda p: p["H"] ** 2 * p["C"], "one-neuron"),
    Planted("fc-weights", "a", "counted biases", lambda p: (p["H"] ** 2 * p["C"] + 1) * p["N"], "counted-biases"),
    Planted("fc-weights", "a", "H instead of H*H", lambda p: p["H"] * p["C"] * p["N"], "derived:power:H**2->H"),
    Planted("fc-weights", "a", "a power of ten off", lambda p: _thousands_or_ten_times(p["H"] ** 2 * p["C"] * p["N"]),
            "power-of-ten"),
    # 000 Q2.2: weights of a convolutional layer
    Planted("conv-weights", "a", "left out the depth", lambda p: p["F"] ** 2 * p["K"], "forgot-depth"),
    Planted("conv-weights", "a", "one filter only", lambda p: p["F"] ** 2 * p["C"], "one-filter"),
    Planted("conv-weights", "a", "counted biases", lambda p: (p["F"] ** 2 * p["C"] + 1) * p["K"], "counted-biases"),
    Planted("conv-weights", "a", "counted output neurons", lambda p: p["O"] ** 2 * p["K"], "counted-neurons"),
    Planted("conv-weights", "a", "F instead of F*F", lambda p: p["F"] * p["C"] * p["K"], "derived:power:F**2->F"),
    # 000 Q3: output size
    Planted("conv-output-size", "a", "no +1", lambda p: whole(Fraction(p["I"] - p["F"] + 2 * p["P"], p["S"])),
            "missing-plus-one"),
    Planted("conv-output-size", "a", "padding on one side",
            lambda p: whole(Fraction(p["I"] - p["F"] + p["P"], p["S"]) + 1), "padding-once"),
    Planted("conv-output-size", "a", "no padding", lambda p: whole(Fraction(p["I"] - p["F"], p["S"]) + 1),
            "forgot-padding"),
    Planted("conv-output-size", "a", "no stride", lambda p: p["I"] - p["F"] + 2 * p["P"] + 1, "ignored-stride"),
    Planted("conv-output-size", "a", "padding subtracted",
            lambda p: whole(Fraction(p["I"] - p["F"] - 2 * p["P"], p["S"]) + 1), "subtracted-padding"),
    Planted("conv-output-size", "a", "kernel added",
            lambda p: whole(Fraction(p["I"] + p["F"] + 2 * p["P"], p["S"]) + 1), "added-kernel"),
    # 000 Q4: stacked 3x3 filters
    Planted("stacked-3x3", "a", "grows by one", lambda p: p["F"] - 1, "growth-by-one"),
    Planted("stacked-3x3", "a", "area ratio", lambda p: whole(Fraction(p["F"] ** 2, 9)), "area-ratio"),
    Planted("stacked-3x3", "a", "tiled side by side", lambda p: whole(Fraction(p["F"], 3)), "tiled-width"),
    Planted("stacked-3x3", "a", "first layer left out", lambda p: (p["F"] - 3) // 2, "first-layer-left-out"),
    Planted("stacked-3x3", "a", "one layer too many", lambda p: (p["F"] + 1) // 2, "one-layer-too-many"),
    Planted("stacked-3x3", "b", "share kept", lambda p: f"{float(100 - _saving(p['F'])):.2f}%", "kept-not-saved"),
    Planted("stacked-3x3", "b", "one 3x3 filter", lambda p: f"{float(Fraction(100 * (p['F'] ** 2 - 9), p['F'] ** 2)):.2f}%",
            "one-filter-only"),
    Planted("stacked-3x3", "b", "weights saved, not percent",
            lambda p: str(p["F"] ** 2 - 9 * ((p["F"] - 1) // 2)), "count-not-percent"),
    Planted("stacked-3x3", "b", "a fraction", lambda p: f"{float(_saving(p['F']) / 100):.4f}", "factor-100"),
    Planted("stacked-3x3", "b", "rounded to a whole percent", lambda p: f"{whole(_saving(p['F']))}%",
            "derived:rounded:0"),
    # 000 Q5: same padding
    Planted("same-padding", "a", "total padding", lambda p: p["F"] - 1, "total-padding"),
    Planted("same-padding", "a", "no +1, rounded", lambda p: whole(Fraction(p["F"], 2)), "missing-plus-one"),
    Planted("same-padding", "a", "kernel size", lambda p: p["F"], "kernel-size"),
    Planted("same-padding", "a", "valid output size", lambda p: p["I"] - p["F"] + 1, "valid-output-size"),
    # 000 Q9: vanishing gradients
    Planted("vanishing-gradient", "a", "batch norm", lambda p: "Batch normalization", "batch-norm"),
    Planted("vanishing-gradient", "a", "dropout", lambda p: "dropout", "dropout"),
    Planted("vanishing-gradient", "a", "pooling", lambda p: "max pooling", "pooling"),
    Planted("vanishing-gradient", "a", "ReLU", lambda p: "ReLU", "activation"),
    # 000 Q10: convolution as a matrix-vector product
    Planted("conv-as-matrix", "a", "flipped kernel", lambda p: _conv_matrix(_arr(p, "K")[::-1, ::-1], 4, 4),
            "flipped-kernel"),
    Planted("conv-as-matrix", "a", "transposed", lambda p: _conv_matrix(_arr(p, "K"), 4, 4).T, "transposed"),
    Planted("conv-as-matrix", "a", "input flattened by columns",
            lambda p: _conv_matrix(_arr(p, "K"), 4, 4, column_major_in=True), "derived:matrix:column-major-input"),
    Planted("conv-as-matrix", "a", "output flattened by columns",
            lambda p: _conv_matrix(_arr(p, "K"), 4, 4, column_major_out=True), "derived:matrix:column-major-output"),
    Planted("conv-as-matrix", "a", "both flattened by columns",
            lambda p: _conv_matrix(_arr(p, "K"), 4, 4, True, True), "derived:matrix:column-major"),
    Planted("conv-as-matrix", "b", "flipped kernel", lambda p: _corr(_arr(p, "X"), _arr(p, "K")[::-1, ::-1]),
            "flipped-kernel"),
    Planted("conv-as-matrix", "b", "transposed", lambda p: _corr(_arr(p, "X"), _arr(p, "K")).T, "transposed"),
    Planted("conv-as-matrix", "b", "same padding", lambda p: _corr(_arr(p, "X"), _arr(p, "K"), pad=1),
            "derived:matrix:same-not-valid"),
    Planted("conv-as-matrix", "b", "sign", lambda p: -_corr(_arr(p, "X"), _arr(p, "K")), "sign"),
    # 002 Q1a: the Toeplitz matrix
    Planted("conv1d-toeplitz", "a", "flipped kernel", lambda p: _toeplitz(p["n"], p["size"], flip=True),
            "flipped-kernel"),
    Planted("conv1d-toeplitz", "a", "band one column right", lambda p: _toeplitz(p["n"], p["size"], offset=1),
            "derived:matrix:band-shifted:+1"),
    Planted("conv1d-toeplitz", "a", "band one column left", lambda p: _toeplitz(p["n"], p["size"], offset=-1),
            "derived:matrix:band-shifted:-1"),
    Planted("conv1d-toeplitz", "a", "circular padding", lambda p: _toeplitz(p["n"], p["size"], circular=True),
            "derived:matrix:circular-padding"),
    # 002 Q1b: a linear layer
    Planted("linear-weights", "a", "kernel weights", lambda p: 3, "kernel-only"),
    Planted("linear-weights", "a", "counted biases", lambda p: p["n"] ** 2 + p["n"], "counted-biases"),
    Planted("linear-weights", "a", "banded", lambda p: 3 * p["n"] - 2, "banded"),
    Planted("linear-weights", "a", "one per output", lambda p: p["n"], "derived:power:n**2->n"),
    # 002 Q1c: unshared weights
    Planted("unshared-weights", "b", "padding taps counted", lambda p: p["n"] * p["k"], "counted-padding-taps"),
    Planted("unshared-weights", "b", "shared count", lambda p: p["k"], "shared-count"),
    Planted("unshared-weights", "b", "one end only", lambda p: p["n"] * p["k"] - (p["k"] ** 2 - 1) // 8,
            "one-end-only"),
    Planted("unshared-weights", "b", "dense", lambda p: p["n"] ** 2, "dense-count"),
    # 002 Q1e: output size against kernel size
    Planted("output-vs-kernel", "a", "no +1", lambda p: "H - K", "missing-plus-one"),
    Planted("output-vs-kernel", "a", "kernel twice", lambda p: "H - 2K + 1", "double-kernel"),
    Planted("output-vs-kernel", "a", "H and K swapped", lambda p: "K - H + 1", "derived:swap:H,K"),
    Planted("output-vs-kernel", "a", "kernel added", lambda p: "H + K + 1", "derived:sign:-K"),
    Planted("output-vs-kernel", "a", "+2", lambda p: "H - K + 2", "derived:add:+1"),
    Planted("output-vs-kernel", "b", "no +1", lambda p: p["Hn"] - p["Kn"], "missing-plus-one"),
    Planted("output-vs-kernel", "b", "kernel twice", lambda p: p["Hn"] - 2 * p["Kn"] + 1, "double-kernel"),
    Planted("output-vs-kernel", "b", "kernel added", lambda p: p["Hn"] + p["Kn"] + 1, "derived:sign:-Kn"),
    Planted("output-vs-kernel", "b", "H and K swapped", lambda p: p["Kn"] - p["Hn"] + 1, "derived:swap:Hn,Kn"),
    Planted("output-vs-kernel", "c", "output zero", lambda p: p["Hn"] + 1, "output-zero"),
    Planted("output-vs-kernel", "c", "one short", lambda p: p["Hn"] - 1, "one-short"),
    Planted("output-vs-kernel", "c", "area", lambda p: p["Hn"] ** 2, "area"),
    Planted("output-vs-kernel", "c", "half", lambda p: whole(Fraction(p["Hn"], 2)), "half"),
    Planted("output-vs-kernel", "d", "no +1", lambda p: 0, "missing-plus-one"),
    Planted("output-vs-kernel", "d", "kernel size", lambda p: p["Hn"], "kernel-size"),
    Planted("output-vs-kernel", "d", "old kernel", lambda p: p["Hn"] - p["Kn"] + 1, "kept-old-kernel"),
    Planted("output-vs-kernel", "d", "sign of the 1", lambda p: -1, "sign-of-one"),
]


def answer_text(value: Any) -> str:
    if isinstance(value, (np.ndarray, list)):
        return matrix_text(value)
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f"{float(value):.6g}"
    return str(value)
