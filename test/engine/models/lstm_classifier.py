"""A sequence classifier: Embedding with padding_idx, a 2-layer batch-first LSTM, the last step into a Linear."""
import torch
import torch.nn as nn


class LSTMClassifier(nn.Module):
    def __init__(self, vocab_size: int = 30, embed_dim: int = 8, hidden: int = 12, num_classes: int = 3):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden, num_layers=2, batch_first=True)
        self.fc = nn.Linear(hidden, num_classes)

    def forward(self, tokens):
        x = self.embed(tokens)
        out, (h, c) = self.lstm(x)
        return self.fc(out[:, -1, :])


if __name__ == "__main__":
    print(LSTMClassifier()(torch.randint(0, 30, (2, 7))).shape)
