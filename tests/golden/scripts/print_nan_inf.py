# NaN and infinities, alone and among finite numbers.
import torch

x = torch.tensor([1.0, 0.0, -1.0])
x / 0
torch.log(x)
torch.sqrt(x)
torch.tensor([1.5, 0.0]) / torch.tensor([0.0, 0.0])
torch.tensor([2.5, 1.0]) / torch.tensor([0.0, 4.0])
torch.tensor(1.0) / 0
torch.tensor(-1.0) / 0
torch.tensor(0.0) / 0
torch.tensor([1e10, 1.0]) / torch.tensor([1.0, 0.0])
torch.tensor([[1.0, 2.0], [0.0, 3.0]]).log()
torch.exp(torch.tensor([100.0, 1.0]))
float(torch.tensor(0.0) / 0)
float(torch.tensor(1.0) / 0)
-float(torch.tensor(1.0) / 0)
y = torch.tensor([0.0, 4.0], requires_grad=True)
s = torch.sqrt(y)
s
s.sum().backward()
y.grad
z = torch.tensor([0.0, 1.0], requires_grad=True)
(z / z).sum().backward()
z.grad
print(x / 0)
