"""A ResNet stage: two BasicBlocks with BatchNorm2d, the first downsampling through a 1x1 conv shortcut."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, in_planes: int, planes: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(planes),
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out = out + self.shortcut(x)
        return F.relu(out)


class ResNetStage(nn.Module):
    def __init__(self):
        super().__init__()
        self.block1 = BasicBlock(4, 8, stride=2)
        self.block2 = BasicBlock(8, 8)

    def forward(self, x):
        return self.block2(self.block1(x))


if __name__ == "__main__":
    print(ResNetStage()(torch.randn(2, 4, 8, 8)).shape)
