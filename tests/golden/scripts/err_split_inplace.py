import torch

# The pieces of split, chunk and unbind are views that may not be written in place.
x = torch.arange(6.0).reshape(3, 2).requires_grad_()
y = x * 2
a, b, c = y.split(1)
b
b += 1
