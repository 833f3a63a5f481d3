"""The generation benchmark's peer: transformers' GPT-2 generate on PyTorch, greedy, with and without its key/value
cache, on a random GPT-2 of the given shape (the speed of a step does not depend on the weights' values). Prints one
JSON line: seconds per generation of each length, the best of the repeats.

    .run/peers-venv/bin/python benchmarks/python/generation_peer.py --layers 6 --hidden 768 --heads 12 \
        --vocab 50257 --positions 512 --prompt 16 --lengths 16,64,256 --repeats 2 --threads 2
"""

import argparse
import json
import time

import torch
from transformers import GPT2Config, GPT2LMHeadModel


def main():
    a = argparse.ArgumentParser()
    for name in ("layers", "hidden", "heads", "vocab", "positions", "prompt", "repeats", "threads"):
        a.add_argument("--" + name, type=int, required=True)
    a.add_argument("--lengths", required=True)
    a.add_argument("--uncached-up-to", type=int, default=64)
    args = a.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    config = GPT2Config(vocab_size=args.vocab, n_positions=args.positions, n_embd=args.hidden, n_layer=args.layers,
                        n_head=args.heads, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    model = GPT2LMHeadModel(config).eval()
    prompt = torch.randint(1, args.vocab, (1, args.prompt), generator=torch.Generator().manual_seed(2))
    out = {"torch": torch.__version__, "transformers": __import__("transformers").__version__, "cached": {},
           "uncached": {}}
    with torch.inference_mode():
        # One warm-up generation: the first call pays for allocation and kernel selection.
        model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=4, min_new_tokens=4,
                       do_sample=False, pad_token_id=0)
        for length in [int(x) for x in args.lengths.split(",")]:
            for cached in (True, False):
                if not cached and length > args.uncached_up_to:
                    continue
                best = float("inf")
                for _ in range(args.repeats):
                    start = time.perf_counter()
                    result = model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=length,
                                            min_new_tokens=length, do_sample=False, pad_token_id=0,
                                            use_cache=cached)
                    best = min(best, time.perf_counter() - start)
                    assert result.shape[1] == args.prompt + length
                out["cached" if cached else "uncached"][str(length)] = best
    print(json.dumps(out))


if __name__ == "__main__":
    main()
