# matmul, mm, mv, dot, outer, @ and their gradients (gradients take each input's shape).
import torch

A = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
B = torch.tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]], requires_grad=True)
v = torch.tensor([1.0, -1.0], requires_grad=True)
u = torch.tensor([2.0, 0.0, 1.0], requires_grad=True)
A @ B
torch.matmul(A, B)
torch.mm(B, A)
torch.mv(A, v)
A @ v
u @ A
torch.dot(u, u)
u @ u
torch.outer(u, v)
(A @ B).sum().backward()
A.grad
B.grad
A.grad = None
torch.mv(A, v).sum().backward()
A.grad
v.grad
torch.outer(u, v).sum().backward()
u.grad
v.grad
(u @ A @ v).backward()
A.grad
torch.ones(2, 3, 4) @ torch.ones(4, 2)
torch.arange(6).reshape(2, 3) @ torch.arange(3)
torch.dot(torch.tensor([1, 2, 3]), torch.tensor([4, 5, 6]))
(torch.arange(4.0) @ torch.arange(4.0)).item()
