# Float tensors from 0-d to 3-D: widths, negative numbers, 4 decimals.
import torch

torch.tensor(3.0)
torch.tensor(-2.5)
torch.tensor(0.1)
torch.tensor(1 / 3)
torch.tensor([1.0, 2.0, 3.0])
torch.tensor([1.5, -2.25, 3.0])
torch.tensor([0.1, 0.25, 100.5])
torch.tensor([-1.0, 10.0, -100.0])
torch.tensor([1 / 3, 2 / 3, 1.0])
torch.tensor([-0.0, 0.0, 1.0])
torch.tensor([[1.0, 2.0], [3.0, 4.0]])
torch.tensor([[1.5, -2.0], [300.25, 4.0]])
torch.tensor([[-1.0, 0.5, 2.0]])
torch.tensor([[1.0], [2.0], [3.0]])
torch.arange(12.0).reshape(2, 3, 2)
-torch.arange(12.0).reshape(2, 2, 3) / 4
torch.arange(8.0).reshape(2, 2, 2) - 3.5
torch.linspace(0, 1, 5)
x = torch.tensor([2.0, 3.0])
print(x)
print(x / 3)
print(torch.tensor(7.0))
