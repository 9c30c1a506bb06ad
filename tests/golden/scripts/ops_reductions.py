# Reductions over everything or a dim, keepdim, and their gradients.
import torch

X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
X.sum()
X.sum(dim=0)
X.sum(1)
X.sum(axis=1, keepdims=True)
torch.sum(X, (0, 1))
X.mean()
X.mean(dim=1)
X.mean(0, keepdim=True)
X.prod()
X.prod(1)
X.amax()
X.amin(dim=0)
X.norm()
torch.norm(X)
X.logsumexp(dim=1)
X.argmax()
X.argmax(dim=1)
X.argmin(0)
torch.max(X)
torch.min(X)
def g(y):
    X.grad = None
    y.backward()
    return X.grad
g(X.sum())
g(X.sum(0).sum())
g(X.mean())
g(X.mean(dim=1).sum())
g(X.prod())
g(X.prod(1).sum())
g(X.norm())
g(X.logsumexp(dim=1).sum())
g(X.amax())
g(X.amin(0).sum())
g((X.sum(1, keepdim=True) * torch.tensor([[1.0], [10.0]])).sum())
I = torch.arange(6).reshape(2, 3)
I.sum()
I.sum(0)
I.sum() / 4
I.prod()
I.max()
(I > 2).sum()
torch.tensor([3.0, 4.0]).norm()
torch.zeros(2, requires_grad=True).norm()
n = torch.zeros(2, requires_grad=True)
n.norm().backward()
n.grad
ties = torch.tensor([3.0, 3.0, 1.0], requires_grad=True)
ties.max().backward()
ties.grad
ties.grad = None
ties.amax().backward()
ties.grad
ties.grad = None
torch.max(ties, 0)
torch.max(ties, 0)[0].backward()
ties.grad
