import torch
# Setting the attribute words the refusal differently from requires_grad_().
x = torch.arange(3)
x.requires_grad = True
