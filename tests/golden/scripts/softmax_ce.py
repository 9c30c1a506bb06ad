# Softmax by hand and by torch, log_softmax, cross-entropy by indexing y_hat[range(n), y].
import torch

X = torch.tensor([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]], requires_grad=True)
def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition
y_hat = softmax(X)
y_hat
y_hat.sum(1)
torch.softmax(X, dim=1)
torch.log_softmax(X, dim=1)
X.softmax(0)
y = torch.tensor([2, 0])
y_hat[range(len(y_hat)), y]
def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])
l = cross_entropy(y_hat, y)
l
l.mean().backward()
X.grad
X.grad.zero_()
l2 = -torch.log_softmax(X, dim=1)[range(2), y]
l2
l2.mean().backward()
X.grad
def accuracy(y_hat, y):
    pred = y_hat.argmax(dim=1)
    return float((pred == y).sum()) / len(y)
accuracy(y_hat, y)
torch.logsumexp(X, dim=1)
torch.logsumexp(torch.tensor([1000.0, 1000.0]), dim=0)
torch.softmax(torch.tensor([1000.0, 0.0]), dim=0)
