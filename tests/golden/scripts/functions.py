# def with defaults, keyword arguments, return, recursion, tuples returned and unpacked.
import torch

def square(x):
    return x * x

def scale(x, factor=2.0, shift=0):
    return x * factor + shift

def nothing(x):
    x * 2

def stats(x):
    return x.mean(), x.max()

def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
square(x)
scale(x)
scale(x, 3)
scale(x, shift=1)
scale(x, factor=0.5, shift=-1)
scale(2)
nothing(x)
print(nothing(x))
stats(x)
m, mx = stats(x)
m
mx
fact(5)
fact(10)
def loss(w, b=torch.tensor(0.5)):
    return ((x * w + b - 1) ** 2).sum()
w = torch.tensor(2.0, requires_grad=True)
l = loss(w)
l
l.backward()
w.grad
x.grad
def early(n):
    for i in range(n):
        if i * i > 10:
            return i
    return -1
early(10)
early(2)
def grad_of_cube(v):
    v = torch.tensor(v, requires_grad=True)
    y = v ** 3
    y.backward()
    return v.grad
grad_of_cube(2.0)
grad_of_cube(-1.0)
