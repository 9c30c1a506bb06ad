# float64 tensors via dtype=torch.float64: repr shows the dtype; promotion with float32.
import torch

x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
x
x.dtype
x / 3
torch.arange(4.0, dtype=torch.float64)
torch.ones(2, 2, dtype=torch.float64)
torch.zeros(3, dtype=torch.float64)
torch.tensor(0.1, dtype=torch.float64)
torch.tensor(0.1, dtype=torch.float64).item()
torch.tensor(1 / 3, dtype=torch.float64) * 3
f = torch.tensor([1.0, 2.0, 3.0])
(f + x).dtype
f + x
f * 2.5
(x * 2).dtype
torch.arange(3) + x
torch.arange(3, dtype=torch.float64)
w = torch.tensor([0.5, -1.5], dtype=torch.float64, requires_grad=True)
w
y = (w ** 2).sum()
y
y.backward()
w.grad
w.grad.dtype
torch.tensor([1e-10, 1.0], dtype=torch.float64)
torch.tensor([[1.0, 2.5], [3.25, -4.0]], dtype=torch.float64)
torch.tensor(2.0, dtype=torch.float64, requires_grad=True) * 2
torch.tensor([1, 2], dtype=torch.float32)
torch.tensor([1.0, 2.0], dtype=torch.float32).dtype
torch.arange(5.0, dtype=torch.float64)[1:4]
print(torch.tensor([1.0, 2.0], dtype=torch.float64))
