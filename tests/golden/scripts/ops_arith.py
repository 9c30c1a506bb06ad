# Arithmetic, broadcasting, dtype promotion, and gradients reduced to each input's shape.
import torch

a = torch.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
b = torch.tensor([10.0, 20.0], requires_grad=True)
a + b
a - b
a * b
a / b
b - a
torch.add(a, b)
torch.sub(b, 1)
torch.mul(a, 2)
torch.div(b, 4)
torch.pow(a, 2)
torch.neg(b)
a ** 0.5
3 - b
1 / b
b // 3
b % 3
(a * b).sum().backward()
a.grad
b.grad
a.grad = None
b.grad = None
(a / b).sum().backward()
a.grad
b.grad
b.grad = None
(b ** b).sum().backward()
b.grad
i = torch.arange(4)
i + 1
i * 2
i / 2
i // 2
i % 3
-i
i ** 2
2 ** i
i * 1.5
i + True
i + torch.tensor([0.5])
torch.tensor([True, False]) + torch.tensor([True, True])
torch.tensor([1, 2]) * torch.tensor([1.5, 2.0])
torch.tensor(3) / torch.tensor(2)
-7 // torch.tensor([2, -2])
torch.tensor([-7.0, 7.0]) % 3
torch.tensor([-7, 7]) % 3
torch.tensor([5.5, -5.5]) // 2
x = torch.tensor(2.0, requires_grad=True)
y = -x ** 2
y
y.backward()
x.grad
2 ** 3 ** 2
-2 ** 2
(-2) ** 2
