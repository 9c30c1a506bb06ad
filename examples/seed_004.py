# Seed note 004 (a Jupyter notebook), cell by cell.
# automatic differentiation
import torch

x = torch.arange(4.0)
x.requires_grad_(True)
x.grad

y = 2 * torch.dot(x, x)# y is a scalar
y # grad_fn=<MulBackward0> says y was computed from x

y.backward()# backpropagate
x.grad # the derivative

x.grad == 4 * x

# by default PyTorch accumulates gradients: clear the old value
x.grad.zero_()# the underscore means in place
y = x.sum()# the gradient of a sum is all ones
y.backward()
x.grad

#x.grad.zero_()
y = x.sum()
y.backward()
x.grad

#x.grad.zero_()
y = x.sum()
y.backward()
x.grad

# y is not a scalar

x.grad.zero_()
y = x * x # y is a vector

# same as y.backward(torch.ones(len(x)))
y.sum().backward() # sum y to a scalar
x.grad
