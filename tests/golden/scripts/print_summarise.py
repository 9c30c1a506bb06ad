# Tensors over 1000 elements print summarised with "..." (3 items each side).
import torch

torch.arange(2000.0)
torch.arange(1001)
torch.arange(1000)[:12]
torch.arange(2500.0).reshape(50, 50)
torch.arange(2000).reshape(2, 1000)
torch.arange(1100.0).reshape(11, 10, 10)
torch.arange(1200).reshape(100, 12)
torch.ones(1001, 1)
torch.zeros(3000) > 1
torch.arange(2000.0) / 7
torch.arange(1001.0) * 1e6
x = torch.arange(2000.0, requires_grad=True)
x
y = x * 2
y
y.sum().backward()
x.grad
print(torch.arange(1500.0))
torch.arange(1000.0)[995:1000]
