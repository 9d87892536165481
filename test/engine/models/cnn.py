"""A plain CNN in an nn.Sequential: strided/padded convs, activation modules, pooling, Flatten, Dropout."""
import torch
import torch.nn as nn


class SmallCNN(nn.Module):
    def __init__(self, num_classes: int = 5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 12, kernel_size=3, stride=2, padding=1, bias=False),
            nn.Tanh(),
            nn.AvgPool2d(2),
            nn.Conv2d(12, 16, kernel_size=1),
            nn.LeakyReLU(0.1),
            nn.AdaptiveAvgPool2d((1, 1)),
        )
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(0.5),
            nn.Linear(16, 24),
            nn.Sigmoid(),
            nn.Linear(24, num_classes),
        )

    def forward(self, x):
        return self.head(self.features(x))


if __name__ == "__main__":
    print(SmallCNN()(torch.randn(2, 3, 16, 16)).shape)
