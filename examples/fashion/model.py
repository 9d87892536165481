"""A small CNN for Fashion-MNIST (28x28 grayscale, 10 classes).

A plain PyTorch file: it runs with `python model.py`, and Tensor Studio shows the shape of
every tensor in it, trains it on the embedded engine and exports PyTorch-loadable weights.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class FashionCNN(nn.Module):
    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(32 * 5 * 5, 128)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


if __name__ == "__main__":
    model = FashionCNN()
    images = torch.randn(64, 1, 28, 28)
    logits = model(images)
    print(logits.shape)
