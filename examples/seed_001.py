# Seed note 001, cell by cell.
import torch

x = torch.arange(4.0)
x.requires_grad_(True)
x.grad

y = 2*torch.dot(x,x)
y.backward()
x.grad

a = torch.tensor(1.0)
b = torch.tensor(2.0)
a.requires_grad_(True),b.requires_grad_(True)
z = a**2+4*b
z

z.backward()
a.grad

b.grad

# x.grad.zero_()
y = x.sum()
y.backward()
x.grad

# if x is a vector
x = torch.arange(4.0)
x.requires_grad_(True)

y = x*x

y.sum().backward()
#y.backward(torch.ones(len(x)))
x.grad

torch.ones(len(x))

# the commented-out alternative: a vector-Jacobian product with ones
x.grad.zero_()
y = x*x
y.backward(torch.ones(len(x)))
x.grad

x = torch.arange(4.0)
x.requires_grad_(True)
y = x*x+4
u = y.detach()
z = u*x

z.sum().backward()
x.grad
