# Tuples echo as Python's repr of the tuple: tensors joined by ", " on one line.
import torch

x = torch.arange(3.0, requires_grad=True)
y = (x * x).sum()
y.backward()
x, x.grad
x.grad, y
(x,)
(1, 2.5, True, None)
(x.shape, x.dtype, x.requires_grad)
((1, 2), (3, 4))
A = torch.arange(6).reshape(2, 3)
A, A.T
(A, 7)
a, b = x.grad, y
a
b
p, q = 3, 4.5
p, q
()
print(A, A.T)
print((x, 1))
