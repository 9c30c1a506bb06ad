# An in-place op whose derivative needs the target's old values keeps them (PyTorch keeps
# the original self): y *= x, y /= x, y **= 2 backpropagate instead of failing.
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
y *= x
y
y.sum().backward()
x.grad
x.grad = None
y = x + 1
y /= x
y **= 2
y -= x
y
y.sum().backward()
x.grad
w = torch.tensor([0.5, -1.0], requires_grad=True)
b = torch.ones(2)
b *= w
b += w * w
b
b.sum().backward()
w.grad
x.grad = None
y = x * 1
y *= y  # y's values are both factors: PyTorch refuses this one at backward
y
y.sum().backward()
