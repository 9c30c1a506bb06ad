# Parameter updates under torch.no_grad(): in place on leaves, then zero the gradient.
import torch

w = torch.tensor([1.0, -2.0], requires_grad=True)
lr = 0.1
l = (w ** 2).sum()
l.backward()
w.grad
with torch.no_grad():
    w -= lr * w.grad
    w.grad.zero_()
w
w.grad
w.is_leaf
w.requires_grad
with torch.no_grad():
    v = w * 2
v
v.requires_grad
v.grad_fn
with torch.no_grad():
    print((w + 1).requires_grad)
    w += 1
w
(w * 2).requires_grad
for step in range(3):
    l = ((w - 3) ** 2).sum()
    l.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
    print(step, float(l))
w
def sgd(params, lr):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()
b = torch.tensor(0.0, requires_grad=True)
l = ((w * 2 + b - 1) ** 2).sum()
l.backward()
sgd((w, b), 0.05)
w, b
w.grad, b.grad
