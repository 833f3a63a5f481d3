"""The tagging peer of `./finetide bench quality --dataset wnut17 --peer`: the same BIO fine-tuning in Hugging Face
transformers on PyTorch.

Reads the folder the Java side exported (config.json, model.safetensors with the same freshly initialised token head)
and the splits as the Java tokenizer encoded them (word pieces cut to the maximum length; a label at each word's first
piece, -1 elsewhere), and fine-tunes with quality_peer.py's recipe (AdamW with the same decay groups, linear warmup
then decay, global-norm clipping, batches of similar length), the loss the mean cross-entropy over the labelled
positions. After each epoch the dev sentences are tagged (each word at its first piece, a word past the cut "O") and
scored by entity F1 (conlleval's chunks, seqeval's default); the best epoch's weights (the last one's with --keep-last,
a refit for an epoch count chosen before) tag the test sentences, which are
printed for the Java side to score with the library's own EntityF1. Its own random order and dropout masks. Prints
one JSON object. Run only by the benchmark harness, never by the product.
"""
import argparse
import copy
import json
import random
import sys
import time

import torch
import transformers

import exported_bert
from quality_peer import batches, optimizer_and_schedule, padded, recipe_arguments, update


def chunks(tags):
    """The entities of one sentence's tags as (start, end, type), conlleval's chunking."""
    out, start, kind = [], 0, None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, typ = ("O", None) if tag == "O" else (tag[0], tag[2:])
        if kind is not None and not (prefix == "I" and typ == kind):
            out.append((start, i, kind))
            kind = None
        if prefix == "B" or (prefix == "I" and kind is None):
            start, kind = i, typ
    return out


def entity_f1(truth, predicted):
    correct = found = gold = 0
    for t, p in zip(truth, predicted):
        true_chunks, predicted_chunks = set(chunks(t)), set(chunks(p))
        correct += len(true_chunks & predicted_chunks)
        found += len(predicted_chunks)
        gold += len(true_chunks)
    precision = correct / found if found else 0.0
    recall = correct / gold if gold else 0.0
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def tag(model, split, names, pad, size=64):
    """Each sentence's tags by name: the argmax at each word's first piece, "O" for a word past the cut."""
    model.eval()
    ids = split["ids"]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = [None] * len(ids)
    with torch.no_grad():
        for b in range(0, len(order), size):
            rows = order[b:b + size]
            t, m = padded(ids, rows, pad)
            best = model(t, m).argmax(-1).tolist()
            for r, i in enumerate(rows):
                words = ["O"] * split["count"][i]
                word_ids = split["word_ids"][i]
                for j, w in enumerate(word_ids):
                    if w >= 0 and (j == 0 or word_ids[j - 1] != w):
                        words[w] = names[best[r][j]]
                out[i] = words
    return out


def main():
    p = recipe_arguments(argparse.ArgumentParser())
    p.add_argument("--keep-last", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    with open(a.data) as f:
        data = json.load(f)
    pad, names = data["pad"], data["tags"]
    model = exported_bert.Tagger(a.folder)
    train = data["train"]
    optimizer, schedule, total = optimizer_and_schedule(model, a, len(train["ids"]))
    rng = random.Random(a.seed)
    dev = data["validation"]
    best, best_f1, best_epoch, history = None, -1.0, 0, []
    started = time.perf_counter()
    for epoch in range(1, a.epochs + 1):
        began = time.perf_counter()
        model.train()
        losses = []
        for rows in batches(train["ids"], a.batch, rng):
            t, m = padded(train["ids"], rows, pad)
            y = torch.full(t.shape, -1, dtype=torch.long)
            for r, i in enumerate(rows):
                y[r, :len(train["labels"][i])] = torch.tensor(train["labels"][i], dtype=torch.long)
            logits = model(t, m)
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                                                     ignore_index=-1)
            losses.append(update(model, optimizer, schedule, loss, a.max_grad_norm))
        f1 = entity_f1(dev["tags"], tag(model, dev, names, pad))
        history.append({"epoch": epoch, "train_loss": sum(losses) / len(losses), "dev_entity_f1": f1,
                        "seconds": time.perf_counter() - began})
        print(f"peer epoch {epoch}/{a.epochs}: train loss {history[-1]['train_loss']:.4f}, dev entity F1 {f1:.4f}",
              flush=True, file=sys.stderr)
        if f1 > best_f1 or a.keep_last:
            best, best_f1, best_epoch = copy.deepcopy(model.state_dict()), f1, epoch
    seconds = time.perf_counter() - started
    model.load_state_dict(best)
    test = data["test"]
    predicted = tag(model, test, names, pad)
    print(json.dumps({"torch": torch.__version__, "transformers": transformers.__version__, "steps": total,
                      "seconds": seconds, "epochs": history, "best_epoch": best_epoch, "dev_entity_f1": best_f1,
                      "test_entity_f1": entity_f1(test["tags"], predicted), "test_tags": predicted}))


if __name__ == "__main__":
    main()
