# Seed note 002, cell by cell (a fixed input replaces torch.randn in cell 12).
import torch

x = torch.arange(4.0)
x

x2 = torch.arange(4.0, requires_grad=True)
x2

# same as x = torch.arange(4.0, requires_grad=True)
x.requires_grad_(True)
# x.grad holds the gradient of x
x.grad

# here y is a scalar
y = 2 * torch.dot(x, x)
y

y.backward()
x.grad

x.grad == 4 * x

x.sum()

x.grad.zero_()

y = x.sum()

y.backward()
x.grad

x.grad.zero_()

# here y is a vector
y = x * x

# same as y.backward(torch.ones(len(x)))
y.sum().backward()

x.grad

x.grad.zero_()
y = x * x

u = y.detach()
z = u * x

z.sum().backward()
x.grad == u

x.grad.zero_()

y.sum().backward()

x.grad == 2 * x

def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c

# no size: a scalar
a = torch.tensor(0.5, requires_grad=True)
d = f(a)
d.backward()

a.grad == d / a
a.grad
d
