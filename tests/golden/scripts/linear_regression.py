# A tiny linear regression trained with minibatch SGD under torch.no_grad() (no random data).
import torch

true_w = torch.tensor([2.0, -3.4])
true_b = 4.2
n = torch.arange(10.0)
X = torch.stack((n / 10 - 0.5, (n % 3) / 2 - 0.5), dim=1)
y = (X @ true_w + true_b).reshape(-1, 1)
X[:3]
y[:3]
w = torch.zeros(2, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
def linreg(X, w, b):
    return torch.matmul(X, w) + b
def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
lr = 0.3
num_epochs = 5
batch_size = 5
net = linreg
loss = squared_loss
for epoch in range(num_epochs):
    for start in range(0, 10, batch_size):
        Xb = X[start:start + batch_size]
        yb = y[start:start + batch_size]
        l = loss(net(Xb, w, b), yb)
        l.sum().backward()
        sgd((w, b), lr, batch_size)
    with torch.no_grad():
        train_l = loss(net(X, w, b), y)
        print(f"epoch {epoch + 1}, loss {float(train_l.mean()):f}")
w
b
print(f"error in w: {true_w - w.reshape(true_w.shape)}")
print(f"error in b: {true_b - b}")
