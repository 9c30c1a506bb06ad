import torch
# Iterating over a tensor or unpacking it gives its rows through unbind.
x = torch.arange(4.0, requires_grad=True)
a, b, c, d = x
a
rows = list(x)
rows[1]
for r in x:
    r
A = torch.arange(6.0).reshape(2, 3).requires_grad_()
first, second = A
second
total = torch.zeros(3)
for row in A:
    total = total + row * row
total
total.sum().backward()
A.grad
b.backward()
x.grad
x[torch.tensor(1)]
A.shape[1:]
A.size()[:1]
x == None
x != None
