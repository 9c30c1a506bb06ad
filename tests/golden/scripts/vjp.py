# backward(gradient): vector-Jacobian products for non-scalar outputs.
import torch

x = torch.arange(4.0, requires_grad=True)
y = x * x
y.backward(torch.ones(len(x)))
x.grad
x.grad.zero_()
y = x * x
y.backward(torch.tensor([1.0, 0.0, 0.5, -1.0]))
x.grad
x.grad.zero_()
y = x * x
y.backward(gradient=torch.ones_like(y))
x.grad
W = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
v = torch.tensor([1.0, -1.0])
Y = W @ W
Y.backward(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
W.grad
s = torch.tensor(3.0, requires_grad=True)
r = s ** 2
r.backward(torch.tensor(2.0))
s.grad
z = torch.mv(W, v)
z
z.backward(torch.tensor([0.5, 2.0]))
W.grad
