"""Embedding into a bidirectional GRU; mean over time, then a Linear."""
import torch
import torch.nn as nn


class GRUTagger(nn.Module):
    def __init__(self, vocab_size: int = 25, embed_dim: int = 6, hidden: int = 5, num_classes: int = 4):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.gru = nn.GRU(embed_dim, hidden, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, num_classes)

    def forward(self, tokens):
        out, h = self.gru(self.embed(tokens))
        return self.fc(out.mean(dim=1))


if __name__ == "__main__":
    print(GRUTagger()(torch.randint(0, 25, (2, 6))).shape)
