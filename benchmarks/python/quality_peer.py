"""The peer of `./finetide bench quality --peer`: the same fine-tuning in Hugging Face transformers on PyTorch.

Reads the folder the Java side exported (config.json, model.safetensors with the same freshly initialised head,
tokenizer.json) and the splits as token ids (the Java tokenizer's, already cut to the maximum length), and fine-tunes
with the library's recipe: the base's pooling (masked mean or [CLS]), dropout, a linear head; AdamW (decay on weight
matrices and embeddings, none on biases and layer norms), linear warmup then linear decay to 0, global-norm clipping,
batches of similar length, validation accuracy after each epoch and the best epoch's weights tested. Its own random
order and dropout masks: the comparison is of recipes and frameworks, not of bit streams. Prints one JSON object.
Run only by the benchmark harness, never by the product.
"""
import argparse
import copy
import json
import math
import random
import sys
import time

import torch
import transformers

import exported_bert

BUCKET_BATCHES = 32  # as the library's TrainingLoop


def batches(ids, size, rng):
    order = list(range(len(ids)))
    rng.shuffle(order)
    out = []
    bucket = size * BUCKET_BATCHES
    for start in range(0, len(order), bucket):
        chunk = sorted(order[start:start + bucket], key=lambda i: len(ids[i]))
        out.extend(chunk[b:b + size] for b in range(0, len(chunk), size))
    rng.shuffle(out)
    return out


def padded(ids, rows, pad):
    width = max(len(ids[i]) for i in rows)
    t = torch.full((len(rows), width), pad, dtype=torch.long)
    m = torch.zeros((len(rows), width), dtype=torch.long)
    for r, i in enumerate(rows):
        t[r, :len(ids[i])] = torch.tensor(ids[i], dtype=torch.long)
        m[r, :len(ids[i])] = 1
    return t, m


def predict(model, split, size, pad):
    model.eval()
    ids = split["ids"]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    predicted = [0] * len(ids)
    with torch.no_grad():
        for b in range(0, len(order), size):
            rows = order[b:b + size]
            t, m = padded(ids, rows, pad)
            for i, p in zip(rows, model(t, m).argmax(-1).tolist()):
                predicted[i] = p
    return predicted


def accuracy(truth, predicted):
    return sum(1 for t, p in zip(truth, predicted) if t == p) / len(truth)


def macro_f1(truth, predicted, labels):
    total = 0.0
    for c in range(labels):
        tp = sum(1 for t, p in zip(truth, predicted) if t == c and p == c)
        fp = sum(1 for t, p in zip(truth, predicted) if t != c and p == c)
        fn = sum(1 for t, p in zip(truth, predicted) if t == c and p != c)
        total += 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
    return total / labels


def recipe_arguments(p):
    """The recipe's settings, shared with tagging_peer.py; the caller adds its own and parses."""
    p.add_argument("--folder", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--epochs", type=int, required=True)
    p.add_argument("--lr", type=float, required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--warmup-ratio", type=float, default=0.1)
    p.add_argument("--max-grad-norm", type=float, default=1.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    return p


def optimizer_and_schedule(model, a, examples):
    """AdamW (decay on weight matrices and embeddings only), linear warmup then decay to 0; (optimizer, schedule,
    steps)."""
    decayed = [q for n, q in model.named_parameters() if q.dim() >= 2]
    plain = [q for n, q in model.named_parameters() if q.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decayed, "weight_decay": a.weight_decay},
                                   {"params": plain, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    total = math.ceil(examples / a.batch) * a.epochs
    warmup = int(total * a.warmup_ratio + 0.5)  # rounded, as the library does
    return optimizer, transformers.get_linear_schedule_with_warmup(optimizer, warmup, total), total


def update(model, optimizer, schedule, loss, max_grad_norm):
    """One step of the recipe on a batch's loss: gradients clipped to the global norm, AdamW, the schedule; the loss."""
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()
    schedule.step()
    return loss.item()


def main():
    p = recipe_arguments(argparse.ArgumentParser())
    p.add_argument("--pooling", choices=["mean", "cls"], required=True)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    with open(a.data) as f:
        data = json.load(f)
    pad = data["pad"]
    labels = data["labels"]
    model = exported_bert.Classifier(a.folder, a.pooling)
    train = data["train"]
    optimizer, schedule, total = optimizer_and_schedule(model, a, len(train["ids"]))
    rng = random.Random(a.seed)
    best, best_accuracy, best_epoch, history = None, -1.0, 0, []
    started = time.perf_counter()
    for epoch in range(1, a.epochs + 1):
        began = time.perf_counter()
        model.train()
        losses = []
        for rows in batches(train["ids"], a.batch, rng):
            t, m = padded(train["ids"], rows, pad)
            y = torch.tensor([train["labels"][i] for i in rows], dtype=torch.long)
            loss = torch.nn.functional.cross_entropy(model(t, m), y)
            losses.append(update(model, optimizer, schedule, loss, a.max_grad_norm))
        v = accuracy(data["validation"]["labels"], predict(model, data["validation"], 64, pad))
        history.append({"epoch": epoch, "train_loss": sum(losses) / len(losses), "validation_accuracy": v,
                        "seconds": time.perf_counter() - began})
        print(f"peer epoch {epoch}/{a.epochs}: train loss {history[-1]['train_loss']:.4f}, validation accuracy "
              f"{v:.4f}", flush=True, file=sys.stderr)
        if v > best_accuracy:
            best, best_accuracy, best_epoch = copy.deepcopy(model.state_dict()), v, epoch
    seconds = time.perf_counter() - started
    model.load_state_dict(best)
    test = data["test"]
    predicted = predict(model, test, 64, pad)
    print(json.dumps({"torch": torch.__version__, "transformers": transformers.__version__, "steps": total,
                      "seconds": seconds, "epochs": history, "best_epoch": best_epoch,
                      "validation_accuracy": best_accuracy,
                      "test_accuracy": accuracy(test["labels"], predicted),
                      "test_macro_f1": macro_f1(test["labels"], predicted, labels)}))


if __name__ == "__main__":
    main()
