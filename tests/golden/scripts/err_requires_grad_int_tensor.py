# requires_grad=True on an integer tensor literal.
import torch

torch.tensor([1.0, 2.0], requires_grad=True)
torch.tensor([1, 2], requires_grad=True)
