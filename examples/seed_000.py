# Seed note 000, cell by cell (a fixed input replaces torch.randn in cell 11).
import torch

x = torch.arange(6.0)
x

x.requires_grad_(True)
x.grad

y = 2 * torch.dot(x,x)
y

y.backward()
x.grad

a = x ** 2
# a is not a leaf
a.retain_grad()
a

z = a.sum()
z

# without clearing x.grad the next gradient accumulates into it
z.backward(retain_graph=True)
x.grad,a.grad

x.grad.zero_()
z.backward(retain_graph=True)
x.grad,a.grad

def f(a):
    b = a * 2
    while b.norm()<1000:
        b = b * 2
    if b.sum()>0:
        c = b
    else:
        c = 100 * b
    return c

a = torch.tensor(-0.0908, requires_grad = True)
d = f(a)
d.backward()

a,a.grad == d/a

x1 = torch.arange(6.0)
x1.requires_grad_(True)
x1

y1 = x1 + 8
y1.retain_grad()
y1.sum().backward()
tmp1 = x1.grad.clone()
y1,x1.grad,y1.grad

z1 = y1**2
z1

y1.grad.zero_()
x1.grad.zero_()
z1.sum().backward()
tmp2 = y1.grad.clone()
x1.grad,y1.grad

tmp1,tmp2
