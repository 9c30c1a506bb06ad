import torch
x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
v = (x * 2)[:2]
v.detach_()
