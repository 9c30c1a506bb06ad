import torch
# Writes through .data are not seen by autograd: backward runs and uses the new values.
x = torch.arange(3.0, requires_grad=True)
y = (x * x).sum()
x.data[0] = 5.0
x.data += 1
d = x.data
d *= 2
y.backward()
print(x.grad)
print(x)
w = torch.ones(2, requires_grad=True)
z = (w.exp() * 3).sum()
w.data.zero_()
z.backward()
print(w.grad, w)
