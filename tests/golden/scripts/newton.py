# Newton's method for sqrt(2), derivatives by autograd inside a Python loop.
import torch

def newton_sqrt(c, steps=5):
    v = torch.tensor(1.0, requires_grad=True)
    for k in range(steps):
        f = v * v - c
        (df,) = torch.autograd.grad(f, v)
        with torch.no_grad():
            v -= f / df
        print(f"step {k}: v = {v.item():.10f}, f = {float(f):+.3e}")
    return v.detach()
r = newton_sqrt(2.0)
r
r * r
newton_sqrt(9.0, steps=3)
x = torch.tensor(0.5, requires_grad=True)
for i in range(4):
    y = torch.cos(x) - x
    y.backward()
    with torch.no_grad():
        x -= y / x.grad
    x.grad.zero_()
x
print(f"{x.item():.6f}")
