"""The peers of `./finetide bench peers`: Hugging Face transformers on PyTorch, run on the same weights and batches.

Reads the folder the Java side exported (config.json, model.safetensors, tokenizer.json), builds BertModel with the
same head (masked mean pooling, then a linear layer), checks its probabilities against the Java graph's on the same
batch, then times inference and full fine-tuning (AdamW) with the given thread count. Prints one JSON object.
Run only by the benchmark harness, never by the product.
"""
import argparse
import json
import resource
import time

import torch

import exported_bert


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--folder", required=True)
    p.add_argument("--batches", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--iterations", type=int, default=10)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    with open(a.batches) as f:
        spec = json.load(f)
    model = exported_bert.Classifier(a.folder, "mean")
    out = {"torch": torch.__version__, "threads": a.threads, "lengths": {}}
    for length, batch in spec["batches"].items():
        ids = torch.tensor(batch["ids"], dtype=torch.long)
        mask = torch.ones_like(ids)
        labels = torch.tensor(batch["labels"], dtype=torch.long)
        result = {}
        model.eval()
        with torch.no_grad():
            probs = torch.softmax(model(ids, mask), dim=-1)
            if "probabilities" in batch:
                ours = torch.tensor(batch["probabilities"])
                result["max_abs_diff_probabilities"] = float((probs - ours).abs().max())
            for _ in range(2):
                model(ids, mask)
            start = time.perf_counter()
            for _ in range(a.iterations):
                model(ids, mask)
            result["inference_sentences_per_s"] = a.iterations * ids.shape[0] / (time.perf_counter() - start)
        model.train()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.01)
        loss_fn = torch.nn.CrossEntropyLoss()

        def step():
            optimizer.zero_grad()
            loss = loss_fn(model(ids, mask), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()

        for _ in range(2):
            step()
        start = time.perf_counter()
        for _ in range(a.iterations):
            step()
        result["train_examples_per_s"] = a.iterations * ids.shape[0] / (time.perf_counter() - start)
        out["lengths"][length] = result
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
