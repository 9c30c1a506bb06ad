# A failing assert with a message.
import torch

x = torch.arange(4.0, requires_grad=True)
(x * x).sum().backward()
assert x.grad.sum() == 12, "gradient sum"
print("checked")
assert x.grad.sum() == 13, "gradient sum is not 13"
