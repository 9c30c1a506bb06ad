import torch
torch.get_default_dtype()
torch.set_default_dtype(torch.float64)
torch.get_default_dtype()
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x * 0.1).sum()
y.backward()
print(x, y, x.grad)
print(torch.arange(3.0), torch.ones(2, dtype=torch.float32))
z = torch.tensor([0.1, 0.2], dtype=torch.float32) + 0.3
z
torch.set_default_dtype(torch.float32)
torch.tensor([0.1, 0.2]) * 3
