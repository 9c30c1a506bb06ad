# Creation functions, their dtypes and requires_grad.
import torch

torch.tensor([1, 2, 3])
torch.tensor([1.0, 2, 3])
torch.tensor([[1, 2], [3, 4]])
torch.tensor(4)
torch.tensor(4.5)
torch.tensor([True, False])
torch.arange(5)
torch.arange(5.0)
torch.arange(2, 6)
torch.arange(0, 1, 0.25)
torch.arange(1, 10, 3)
torch.arange(10, 0, -3)
torch.linspace(0, 10, 5)
torch.linspace(0, 1, 3)
torch.zeros(2, 3)
torch.zeros((2, 3))
torch.ones(3)
torch.ones(2, 1, 2)
torch.full((2, 2), 7.0)
torch.full((2,), 3)
torch.eye(3)
torch.eye(2, 3)
torch.zeros_like(torch.arange(3))
torch.ones_like(torch.arange(4.0).reshape(2, 2))
torch.zeros(2, requires_grad=True)
torch.ones(2, 2, requires_grad=True)
torch.arange(3.0, requires_grad=True)
torch.tensor([1.0, 2.0], requires_grad=True)
torch.full((3,), 0.5, requires_grad=True)
torch.zeros_like(torch.ones(2, requires_grad=True))
torch.ones(2).requires_grad_()
torch.tensor(2.0).requires_grad_(True)
x = torch.tensor([1.0, 2.0])
x.clone()
torch.clone(x)
torch.arange(3).dtype
torch.arange(3.0).dtype
torch.zeros(2).dtype
torch.linspace(0, 1, 3).dtype
torch.full((1,), 3).dtype
torch.eye(2).dtype
torch.tensor([1, 2.0]).dtype
torch.ones(3).numel()
torch.zeros(0)
torch.zeros(2, 0)
