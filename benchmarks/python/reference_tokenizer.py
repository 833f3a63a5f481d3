"""Writes the golden fixture of the model library's BPE tokenizer test: a small byte-level BPE tokenizer (RoBERTa's
template: <s> A </s> and <s> A </s></s> B </s>) trained by the Rust `tokenizers` library on a few sentences, and its
encodings of single texts and of a pair (expected.json). TextEncoder, which runs the same library through DJL,
must reproduce them.

    .run/peers-venv/bin/python benchmarks/python/reference_tokenizer.py services/model/src/test/resources/reference/bpe-tiny
"""

import json
import sys
from pathlib import Path

from tokenizers import Tokenizer, models, pre_tokenizers, decoders, processors, trainers

CORPUS = [
    "Finetide turns a stream of text into a better model, continuously.",
    "The bank's complaints, the hospital's notes and the shop's tickets.",
    "Byte-level pairs merge into sub-words: unbelievable, unbelievably, believer.",
    "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e costs 4.50 \u20ac today!",
] * 20

TEXTS = ["a better model for the shop", "Unbelievable tickets, continuously!", "caf\u00e9 \u20ac 42 \U0001F600"]


def main(out: Path):
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS, trainer)
    tok.post_processor = processors.RobertaProcessing(("</s>", tok.token_to_id("</s>")),
                                                      ("<s>", tok.token_to_id("<s>")))
    out.mkdir(parents=True, exist_ok=True)
    tok.save(str(out / "tokenizer.json"))
    singles = [tok.encode(t).ids for t in TEXTS]
    pair = tok.encode(TEXTS[0], TEXTS[1])
    (out / "expected.json").write_text(json.dumps({
        "texts": TEXTS, "ids": singles, "pair_ids": pair.ids, "pair_type_ids": pair.type_ids,
        "pad_id": tok.token_to_id("<pad>"), "vocab_size": tok.get_vocab_size(),
    }, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
