"""Writes the golden fixtures of the model library's parity tests for the architectures no pretrained weights
can be had for here: a tiny random T5 (encoder-decoder), GPT-2 (decoder) and ALBERT (encoder), each as a Hugging Face
folder (config.json, model.safetensors) with the reference outputs of `transformers` on a fixed padded batch
(expected.json). The Java tests load the folders with HuggingFaceFolder and must reproduce the outputs.

Run once in the peers' virtual environment (`./finetide bench peers` creates it):
    .run/peers-venv/bin/python benchmarks/python/reference_models.py services/model/src/test/resources/reference
"""

import json
import sys
from pathlib import Path

import torch
from transformers import (AlbertConfig, AlbertModel, GPT2Config, GPT2LMHeadModel, T5Config,
                          T5ForConditionalGeneration)


def padded(rows, pad=0):
    width = max(len(r) for r in rows)
    ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
    return ids, mask


def perturbed(model, seed):
    """Random gains and biases too: a fresh model's ones and zeros would leave their mapping untested."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, p in model.named_parameters():
            if p.dim() == 1:
                p.add_(0.2 * torch.randn(p.shape, generator=g))
    return model


def real_positions(tensor, rows):
    """Per row, the values at its real (unpadded) positions, as nested lists."""
    return [tensor[i, : len(r)].tolist() for i, r in enumerate(rows)]


def t5(out: Path):
    torch.manual_seed(3)
    config = T5Config(vocab_size=64, d_model=16, d_kv=8, d_ff=32, num_layers=2, num_decoder_layers=2, num_heads=2,
                      relative_attention_num_buckets=8, relative_attention_max_distance=20, dropout_rate=0.0,
                      layer_norm_epsilon=1e-6, feed_forward_proj="relu", tie_word_embeddings=True,
                      decoder_start_token_id=0, pad_token_id=0, eos_token_id=1)
    model = perturbed(T5ForConditionalGeneration(config), 7).eval()
    # Sources up to 30 tokens: relative distances beyond the maximum (20) share the last bucket.
    g = torch.Generator().manual_seed(5)
    sources = [torch.randint(2, 64, (n,), generator=g).tolist() + [1] for n in (4, 11, 29)]
    targets = [[0] + torch.randint(2, 64, (n,), generator=g).tolist() for n in (3, 8, 24)]
    src, src_mask = padded(sources)
    dec, dec_mask = padded(targets)
    with torch.no_grad():
        result = model(input_ids=src, attention_mask=src_mask, decoder_input_ids=dec,
                       decoder_attention_mask=dec_mask, output_hidden_states=True)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    (out / "expected.json").write_text(json.dumps({
        "sources": sources,
        "decoder_inputs": targets,
        "encoder_last_hidden_state": real_positions(result.encoder_last_hidden_state, sources),
        "logits": real_positions(result.logits, targets),
        "transformers": __import__("transformers").__version__,
    }))


def gpt2(out: Path):
    torch.manual_seed(4)
    config = GPT2Config(vocab_size=64, n_positions=32, n_embd=16, n_layer=2, n_head=2, n_inner=None,
                        activation_function="gelu_new", resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                        layer_norm_epsilon=1e-5, tie_word_embeddings=True, bos_token_id=0,
                        eos_token_id=0)
    model = perturbed(GPT2LMHeadModel(config), 8).eval()
    g = torch.Generator().manual_seed(6)
    rows = [torch.randint(0, 64, (n,), generator=g).tolist() for n in (5, 13, 30)]
    ids, mask = padded(rows)
    with torch.no_grad():
        result = model(input_ids=ids, attention_mask=mask)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    (out / "expected.json").write_text(json.dumps({
        "inputs": rows,
        "logits": real_positions(result.logits, rows),
        "transformers": __import__("transformers").__version__,
    }))


def gpt2_generation(out: Path):
    """A GPT-2 with weights large enough for peaked, varied next-token distributions (the parity fixture's small
    random weights give one token everywhere), and what transformers' generate answers for it: greedy decoding and
    beam search of widths 3 and 4 on prompts of a few lengths, ending at token 6 (a frequent one, as end of text)
    or after 12 tokens."""
    torch.manual_seed(13)
    config = GPT2Config(vocab_size=64, n_positions=32, n_embd=16, n_layer=2, n_head=2, n_inner=None,
                        activation_function="gelu_new", resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                        layer_norm_epsilon=1e-5, tie_word_embeddings=True, bos_token_id=0, eos_token_id=0)
    model = GPT2LMHeadModel(config).eval()
    g = torch.Generator().manual_seed(14)
    with torch.no_grad():
        for _, p in model.named_parameters():
            p.copy_((0.5 if p.dim() > 1 else 0.2) * torch.randn(p.shape, generator=g))
        model.transformer.ln_f.weight.add_(1.0)
        for block in model.transformer.h:
            block.ln_1.weight.add_(1.0)
            block.ln_2.weight.add_(1.0)
    prompts = [torch.randint(1, 64, (n,), generator=g).tolist() for n in (1, 2, 4, 6, 9, 14, 20)]
    cases = []
    for prompt in prompts:
        ids = torch.tensor([prompt])
        for beams in (1, 3, 4):
            with torch.no_grad():
                result = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=12,
                                        do_sample=False, num_beams=beams, pad_token_id=0, eos_token_id=6)
            cases.append({"prompt": prompt, "beams": beams, "generated": result[0, len(prompt):].tolist()})
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    (out / "generation.json").write_text(json.dumps({
        "max_new_tokens": 12,
        "eos": 6,
        "cases": cases,
        "transformers": __import__("transformers").__version__,
    }))


def albert(out: Path):
    torch.manual_seed(9)
    config = AlbertConfig(vocab_size=64, embedding_size=8, hidden_size=16, num_hidden_layers=3, num_attention_heads=2,
                          intermediate_size=32, hidden_act="gelu_new", max_position_embeddings=32, type_vocab_size=2,
                          hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, layer_norm_eps=1e-12,
                          num_hidden_groups=1, inner_group_num=1, pad_token_id=0)
    model = perturbed(AlbertModel(config), 10).eval()
    g = torch.Generator().manual_seed(11)
    rows = [[2] + torch.randint(5, 64, (n,), generator=g).tolist() + [3] for n in (4, 12, 29)]
    ids, mask = padded(rows)
    with torch.no_grad():
        result = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids))
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    (out / "expected.json").write_text(json.dumps({
        "inputs": rows,
        "last_hidden_state": real_positions(result.last_hidden_state, rows),
        "transformers": __import__("transformers").__version__,
    }))


if __name__ == "__main__":
    root = Path(sys.argv[1])
    t5(root / "t5-tiny")
    gpt2(root / "gpt2-tiny")
    gpt2_generation(root / "gpt2-generation")
    albert(root / "albert-tiny")
    for f in sorted(root.rglob("*")):
        if f.is_file():
            print(f, f.stat().st_size)
