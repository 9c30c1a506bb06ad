# In-place changes are real: an alias sees them; rebinding a name does not.
import torch

a = torch.zeros(3)
b = a
a += 1
b
a *= torch.tensor([1.0, 2.0, 3.0])
b
a -= 0.5
a /= 2
b
a = a + 10
a
b
c = torch.arange(4.0)
d = c
c[0] = 100.0
d
c[1:3] = torch.tensor([-1.0, -2.0])
d
n = 1
m = n
n += 1
n, m
tup = (1, 2)
u = tup
tup += (3,)
tup, u
x = torch.arange(3.0, requires_grad=True)
y = x * 2
u = y.detach()
u += 1
y
u
g = x.grad
x.sum().backward()
g
x.grad
h = x.grad
x.grad.zero_()
h
(x * 3).sum().backward()
h
x.grad
i = torch.arange(3)
j = i
i += 5
j
