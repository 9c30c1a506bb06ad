# Seed note 003, cell by cell.
import torch
x = torch.arange(4.0)
x

x.requires_grad_(True) # same as x = torch.arange(4.0,requires_grad=True)
x.grad # None by default

y = 2 * torch.dot(x,x)
y

y.backward()
x.grad  # the gradient of y

x.grad == 4 * x

x.grad.zero_()
y = x.sum()
y.backward()
x.grad # one partial derivative per component: four ones

A = torch.arange(24).reshape(2,3,4)
A

t = A.sum(axis = 0,keepdims = True)
t

A = torch.arange(24).reshape(3,8)
B = torch.ones(3,8)
A,B

print(A*B)
print(torch.sum(A*B))

x.grad.zero_()
y = x*x
y
