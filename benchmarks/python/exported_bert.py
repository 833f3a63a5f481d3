"""Reads the Hugging Face folder the Java side exports (config.json, model.safetensors) into transformers' BertModel
and a linear head with the exported head's weights, pooled as the library pools. Shared by the benchmarks' PyTorch
peers; never the product's path.
"""
import torch
from safetensors.torch import load_file
from transformers import BertConfig, BertModel


def load(folder):
    """(config, BertModel without its pooler, the linear head) with the folder's weights."""
    config = BertConfig.from_pretrained(folder)
    bert = BertModel(config, add_pooling_layer=False)
    state = load_file(folder + "/model.safetensors")
    head = {k[len("classifier."):]: v for k, v in state.items() if k.startswith("classifier.")}
    encoder = {k: v for k, v in state.items() if not k.startswith("classifier.")}
    missing, unexpected = bert.load_state_dict(encoder, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise SystemExit(f"weights do not fit BertModel: missing {missing}, unexpected {unexpected}")
    classifier = torch.nn.Linear(config.hidden_size, config.num_labels)
    classifier.load_state_dict(head)
    return config, bert, classifier


class Classifier(torch.nn.Module):
    """The library's sequence head: masked mean or [CLS] pooling, dropout, the linear layer."""

    def __init__(self, folder, pooling):
        super().__init__()
        config, self.bert, self.classifier = load(folder)
        self.pooling = pooling
        self.dropout = torch.nn.Dropout(config.hidden_dropout_prob)

    def forward(self, ids, mask):
        hidden = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
        if self.pooling == "cls":
            pooled = hidden[:, 0]
        else:
            m = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1)
        return self.classifier(self.dropout(pooled))


class Tagger(torch.nn.Module):
    """The library's token head: dropout, then the linear layer at every position."""

    def __init__(self, folder):
        super().__init__()
        config, self.bert, self.classifier = load(folder)
        self.dropout = torch.nn.Dropout(config.hidden_dropout_prob)

    def forward(self, ids, mask):
        return self.classifier(self.dropout(self.bert(input_ids=ids, attention_mask=mask).last_hidden_state))
