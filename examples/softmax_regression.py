# One step of softmax regression (Dive into Deep Learning, 3.6) with cross-entropy written by
# indexing: y_hat[range(len(y_hat)), y] picks each example's predicted probability of its label.
# Deterministic, so that `python examples/softmax_regression.py` with torch prints the same.
import torch

y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
y_hat[[0, 1], y]


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


cross_entropy(y_hat, y)

X = torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.0, -0.5, 1.5, 2.0]])
W = torch.linspace(-0.3, 0.3, 12).reshape(4, 3)
W.requires_grad_(True)
b = torch.zeros(3, requires_grad=True)


def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


probs = net(X)
probs
probs.sum(1)
loss = cross_entropy(probs, y).mean()
loss
loss.backward()
W.grad
b.grad
with torch.no_grad():
    W -= 0.1 * W.grad
    b -= 0.1 * b.grad
    W.grad.zero_()
    b.grad.zero_()
cross_entropy(net(X), y).mean()
