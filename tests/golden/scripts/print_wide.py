# Lines wrap at 80 columns; the grad_fn/requires_grad suffix moves to its own line when needed.
import torch

torch.arange(30)
torch.arange(30.0)
torch.arange(30.0) / 3
torch.arange(40).reshape(2, 20)
torch.arange(16.0).reshape(2, 8) * 1.5
torch.arange(20.0, requires_grad=True)
torch.arange(12.0, requires_grad=True)
torch.arange(8.0, requires_grad=True) / 3
torch.arange(10.0, requires_grad=True) * -1.25
torch.tensor([-2.0, -0.5, 0.0, 0.0, 0.0], requires_grad=True) * 1
torch.arange(6.0, requires_grad=True).reshape(2, 3) / 7
torch.arange(14.0, dtype=torch.float64, requires_grad=True) / 3
torch.arange(100) > 50
torch.arange(100) * 1000
torch.arange(2000.0, requires_grad=True).reshape(40, 50) * 2
