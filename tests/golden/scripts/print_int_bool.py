# Integer and boolean tensors from 0-d to 3-D.
import torch

torch.tensor(5)
torch.tensor(-12)
torch.tensor([1, 2, 3])
torch.tensor([-1, 20, -300])
torch.arange(10)
torch.arange(-3, 3)
torch.tensor([[1, 2], [3, 4]])
torch.tensor([[-1, 200], [3, -4000]])
torch.arange(18).reshape(3, 2, 3)
torch.arange(4).reshape(1, 1, 4)
torch.tensor([1, 1000000])
torch.tensor(True)
torch.tensor([True, False, True])
torch.tensor([[True, False], [False, False]])
x = torch.arange(6)
x > 2
x == 3
(x % 2 == 0)
x.reshape(2, 3) <= 1
torch.arange(8).reshape(2, 2, 2) != 5
print(x)
print(x > 2)
x.sum()
x.sum().item()
(x > 2).sum()
x.dtype
(x > 2).dtype
