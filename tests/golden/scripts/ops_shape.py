# Shape functions: values, grad_fn names and gradients back to the input's shape.
import torch

x = torch.arange(6.0, requires_grad=True)
x.reshape(2, 3)
x.reshape(-1, 2)
x.view(3, 2)
x.reshape(2, 3).transpose(0, 1)
x.reshape(2, 3).t()
x.reshape(1, 2, 3).permute(2, 0, 1)
x.reshape(1, 2, 1, 3).squeeze()
x.reshape(1, 6).squeeze(0)
x.unsqueeze(0)
x.unsqueeze(1).shape
x.reshape(2, 3).flatten()
torch.flatten(x.reshape(3, 2))
torch.cat((x[:2], x[4:]))
torch.cat((x.reshape(2, 3), x.reshape(2, 3) * 10), dim=1)
torch.stack((x[:3], x[3:]))
torch.stack((x[:3], x[3:]), dim=1)
x[:2].reshape(2, 1).expand(2, 3)
x.reshape(2, 3).T
y = torch.cat((x.reshape(2, 3), x.reshape(2, 3)), dim=0) * torch.arange(4.0).reshape(4, 1)
y.sum().backward()
x.grad
x.grad = None
z = x.reshape(2, 3).permute(1, 0) * torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
z.sum().backward()
x.grad
x.grad = None
torch.stack((x, x * 2)).sum().backward()
x.grad
x.grad = None
x[:2].reshape(2, 1).expand(2, 3).sum().backward()
x.grad
torch.arange(24).reshape(2, 3, 4).transpose(0, 2).shape
torch.arange(4).reshape(2, 2).flatten()
torch.cat((torch.zeros(2), torch.ones(3)))
torch.stack((torch.tensor([1, 2]), torch.tensor([3, 4])), 1)
