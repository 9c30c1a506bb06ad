import torch
x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
y = x * 2
y.add_(1)
y.mul_(x)
y.sub_(x, alpha=0.5)
y.div_(2)
y.clamp_(min=-0.5)
y.sum().backward()
print(x.grad)
w = torch.ones(3, requires_grad=True)
for _ in range(2):
    loss = ((w * x - 1) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        w.sub_(0.1 * w.grad)
        w.grad.zero_()
w
x.data.add_(1)
x
z = x * 3
z.detach_()
print(z.requires_grad, z.grad_fn, z.is_leaf)
x.detach_()
x.requires_grad
