# Tensor.type(): the legacy type name, and a cast (D2L 4.4's accuracy uses y_hat.type(y.dtype)).
import torch
x = torch.tensor([0.5, 1.5, 2.5], requires_grad=True)
x.type()
torch.arange(3).type(), torch.ones(2, dtype=torch.float64).type(), torch.ones(1, dtype=torch.bool).type()
d = x.type(torch.float64)
d
d.sum().backward()
x.grad
x.type('torch.LongTensor')
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
y = torch.tensor([0, 2])
cmp = y_hat.argmax(axis=1).type(y.dtype) == y
float(cmp.type(y.dtype).sum())
x.type('float64')
