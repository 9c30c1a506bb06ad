# A two-layer network with fixed weights: forward, cross-entropy, backward, one SGD step.
import torch

X = torch.tensor([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0], [-1.0, 1.0, 1.0], [0.0, 0.0, 2.0]])
y = torch.tensor([0, 1, 1, 0])
W1 = (torch.arange(12.0).reshape(3, 4) / 8 - 0.5).requires_grad_()
b1 = torch.zeros(4, requires_grad=True)
W2 = (torch.arange(8.0).reshape(4, 2) / 8 - 0.25).requires_grad_()
b2 = torch.tensor([0.125, -0.125], requires_grad=True)
W1
W2
def relu(X):
    return torch.maximum(X, torch.zeros_like(X))
def net(X):
    H = relu(X @ W1 + b1)
    return H @ W2 + b2
logits = net(X)
logits
y_hat = torch.softmax(logits, dim=1)
y_hat
l = -torch.log(y_hat[range(len(y_hat)), y])
l
l.mean().backward()
W1.grad
b1.grad
W2.grad
b2.grad
with torch.no_grad():
    for p in (W1, b1, W2, b2):
        p -= 0.5 * p.grad
        p.grad = None
l2 = -torch.log_softmax(net(X), dim=1)[range(4), y]
print(f"loss before {float(l.mean()):.4f}, after {float(l2.mean()):.4f}")
(net(X).argmax(dim=1) == y).sum()
