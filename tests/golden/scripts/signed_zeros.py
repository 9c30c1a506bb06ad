import torch
# Zeros keep their sign as PyTorch gives it.
x = torch.tensor([-2.0, 2.0, -0.0, 1.5, -3.0])
x % 1.0
x % -1.0
torch.relu(torch.tensor([-0.0, 0.0, -1.0]))
torch.tensor([-4, 4, 0, -3]) % -2
