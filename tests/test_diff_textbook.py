"""diff against textbook results (the Matrix Cookbook, D2L, the seeds): each derivative is
checked numerically at two points by autograd, and printed no longer than the textbook's
formula allows (90% of the cases within 1.5x its tokens)."""

from __future__ import annotations

import pytest
from diff_support import derivative_text, tokens

#: (expression, shapes, variable, the textbook's formula in the language)
TEXTBOOK = [
    # the seeds
    ("(dot(x, w) - y)**2", {"x": (3,), "w": (3,), "y": ()}, "w", "2*(dot(x, w) - y)*x"),
    ("sum(x**2)", {"x": (4,)}, "x", "2*x"),
    # least squares (D2L 3.1, Cookbook 2.4.1)
    ("sum((X @ w - y)**2)", {"X": (5, 3), "w": (3,), "y": (5,)}, "w", "2*X.T @ (X @ w - y)"),
    ("norm(X @ w - y)**2", {"X": (5, 3), "w": (3,), "y": (5,)}, "w", "2*X.T @ (X @ w - y)"),
    ("mean((X @ w - y)**2)", {"X": (5, 3), "w": (3,), "y": (5,)}, "w",
     "2*X.T @ (X @ w - y)/5"),
    ("sum((X @ w - y)**2) + lam * dot(w, w)", {"X": (5, 3), "w": (3,), "y": (5,), "lam": ()},
     "w", "2*X.T @ (X @ w - y) + 2*lam*w"),
    # quadratic and linear forms (Cookbook 2.4.2)
    ("x @ A @ x", {"x": (3,), "A": (3, 3)}, "x", "(A + A.T) @ x"),
    ("dot(x, A @ x)", {"x": (3,), "A": (3, 3)}, "x", "(A + A.T) @ x"),
    ("dot(a, x)", {"a": (3,), "x": (3,)}, "x", "a"),
    ("a @ X @ b", {"a": (3,), "X": (3, 4), "b": (4,)}, "X", "outer(a, b)"),
    ("dot(x, x)", {"x": (3,)}, "x", "2*x"),
    # traces and Frobenius norms (Cookbook 2.5)
    ("sum(X * X)", {"X": (3, 4)}, "X", "2*X"),
    ("sum(A * X)", {"A": (3, 4), "X": (3, 4)}, "X", "A"),
    ("sum((A @ X) * B)", {"A": (2, 3), "X": (3, 4), "B": (2, 4)}, "X", "A.T @ B"),
    ("norm(X)**2", {"X": (3, 4)}, "X", "2*X"),
    # norms
    ("norm(x)", {"x": (3,)}, "x", "x/norm(x)"),
    ("norm(x - c)", {"x": (3,), "c": (3,)}, "x", "(x - c)/norm(x - c)"),
    # log-sum-exp, softmax, cross-entropy (D2L 4.1)
    ("logsumexp(x, 0)", {"x": (4,)}, "x", "softmax(x, 0)"),
    ("log(sum(exp(x)))", {"x": (4,)}, "x", "softmax(x, 0)"),
    ("-sum(y * log_softmax(z, 0))", {"z": (4,), "y": (4,)}, "z", "softmax(z, 0)*sum(y) - y"),
    ("logsumexp(z, 0) - dot(y, z)", {"z": (4,), "y": (4,)}, "z", "softmax(z, 0) - y"),
    # logistic regression (D2L, Cookbook)
    ("sum(log(1 + exp(-y * (X @ w))))", {"X": (5, 3), "w": (3,), "y": (5,)}, "w",
     "-X.T @ (y*sigmoid(-y*(X @ w)))"),
    ("sum(sigmoid(x))", {"x": (3,)}, "x", "sigmoid(x)*(1 - sigmoid(x))"),
    ("sum(tanh(x))", {"x": (3,)}, "x", "1 - tanh(x)**2"),
    ("sum(1 / (1 + exp(-x)))", {"x": (3,)}, "x", "sigmoid(x)*(1 - sigmoid(x))"),
    # a 2-layer network (D2L 5.3)
    ("sum((W2 @ tanh(W1 @ x) - y)**2)", {"W1": (4, 3), "W2": (2, 4), "x": (3,), "y": (2,)},
     "W2", "outer(2*(W2 @ tanh(W1 @ x) - y), tanh(W1 @ x))"),
    ("sum((W2 @ tanh(W1 @ x) - y)**2)", {"W1": (4, 3), "W2": (2, 4), "x": (3,), "y": (2,)},
     "W1", "outer(2*(W2.T @ (W2 @ tanh(W1 @ x) - y))*(1 - tanh(W1 @ x)**2), x)"),
    ("sum(tanh(W @ x))", {"W": (2, 3), "x": (3,)}, "W", "outer(1 - tanh(W @ x)**2, x)"),
    ("sum(sigmoid(W @ x + b))", {"W": (2, 3), "x": (3,), "b": (2,)}, "b",
     "sigmoid(W @ x + b)*(1 - sigmoid(W @ x + b))"),
    # reductions with dim and keepdim, and broadcasting
    ("sum(x + b)", {"x": (2, 3), "b": (3,)}, "b", "2*ones(3)"),
    ("sum(X * v)", {"X": (2, 3), "v": (3,)}, "v", "sum(X, 0)"),
    ("sum(mean(X, 0) ** 2)", {"X": (2, 3)}, "X", "mean(X, 0).expand(2, 3)"),
    ("sum(sum(X, 1) ** 2)", {"X": (2, 3)}, "X", "2*sum(X, 1, keepdim=True).expand(2, 3)"),
    ("sum(X / sum(X, 1, keepdim=True))", {"X": (2, 3)}, "X", "0*X"),
    # scalar calculus
    ("sin(x) * cos(x)", {"x": ()}, "x", "cos(x)**2 - sin(x)**2"),
    ("x / y", {"x": (), "y": ()}, "y", "-x/y**2"),
    ("sqrt(x)", {"x": ()}, "x", "1/(2*sqrt(x))"),
    ("exp(2*x)", {"x": ()}, "x", "2*exp(2*x)"),
    ("log(x**2)", {"x": ()}, "x", "2/x"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("expr", "shapes", "wrt", "textbook"), TEXTBOOK,
                         ids=[f"{c[0]}:{c[2]}" for c in TEXTBOOK])
def test_textbook_result_is_right(expr: str, shapes: dict, wrt: str, textbook: str) -> None:
    derivative_text(expr, shapes, wrt)


@pytest.mark.slow
def test_textbook_results_are_short() -> None:
    long = []
    for expr, shapes, wrt, textbook in TEXTBOOK:
        ours = derivative_text(expr, shapes, wrt, seeds=(1,))
        if tokens(ours) > 1.5 * tokens(textbook):
            long.append((expr, wrt, ours, textbook))
    assert len(long) <= len(TEXTBOOK) // 10, "\n".join(map(str, long))


@pytest.mark.parametrize(("expr", "shapes", "wrt", "printed"), [
    ("(dot(x, w) - y)**2", {"x": (3,), "w": (3,), "y": ()}, "w", "2*(dot(x, w) - y)*x"),
    ("sum((X @ w - y)**2)", {"X": (5, 3), "w": (3,), "y": (5,)}, "w", "2*X.T @ (X @ w - y)"),
    ("x @ A @ x", {"x": (3,), "A": (3, 3)}, "x", "(A.T + A) @ x"),
    ("logsumexp(x, 0)", {"x": (4,)}, "x", "softmax(x, 0)"),
    ("sum(sigmoid(x))", {"x": (3,)}, "x", "sigmoid(x)*(1 - sigmoid(x))"),
    ("dot(a, x)", {"a": (3,), "x": (3,)}, "x", "a"),
    ("sum(x*x*x*x)", {"x": (3,)}, "x", "4*x**3"),
])
def test_printed_exactly(expr: str, shapes: dict, wrt: str, printed: str) -> None:
    assert derivative_text(expr, shapes, wrt, seeds=(1,)) == printed
