# torch.autograd.grad of a non-scalar output without grad_outputs.
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
torch.autograd.grad((x * x).sum(), x)
torch.autograd.grad(x * x, x)
