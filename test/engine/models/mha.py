"""nn.MultiheadAttention (batch-first self-attention) with a residual and LayerNorm."""
import torch
import torch.nn as nn


class AttnPool(nn.Module):
    def __init__(self, dim: int = 12, heads: int = 3, num_classes: int = 4):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm = nn.LayerNorm(dim)
        self.fc = nn.Linear(dim, num_classes)

    def forward(self, x):
        y, _ = self.attn(x, x, x)
        x = self.norm(x + y)
        return self.fc(x.mean(dim=1))


if __name__ == "__main__":
    print(AttnPool()(torch.randn(2, 5, 12)).shape)
