"""Reads the Hugging Face folder the Java side exports (config.json, model.safetensors) into transformers' BertModel
and a linear head with the exported head's weights. Shared by the benchmarks' PyTorch peers; never the product's path.
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
