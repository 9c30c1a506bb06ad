import torch

# A piece of split written under no_grad loses its history (<Invalid>), as in PyTorch; the
# base keeps its own, and backward through it sees the new values.
x = torch.arange(6.0).reshape(3, 2).requires_grad_()
y = x * 1
a, b, c = y.split(1)
with torch.no_grad():
    a += 1
a
y
(y * y).sum().backward()
x.grad
