"""Writes the reference values of the generation metrics the model library implements (ROUGE-L, chrF) on fixed
cases, computed by the reference implementations: Google's rouge-score (ROUGE-L, no stemming) and sacreBLEU's CHRF
(its defaults). The Java test (GenerationMetricsTest) must reproduce them.

Run in a virtual environment with the two (versions are recorded in the output):
    python3 -m venv .run/metrics-venv && .run/metrics-venv/bin/pip install rouge-score sacrebleu
    .run/metrics-venv/bin/python benchmarks/python/generation_metrics_reference.py \
        services/model/src/test/resources/reference/generation-metrics.json
"""

import json
import sys
from importlib.metadata import version

from rouge_score import rouge_scorer
from sacrebleu.metrics import CHRF

CASES = [
    ("The cat sat on the mat.", "The cat sat on the mat."),
    ("The cat sat on the mat.", "the cat was sitting on a mat"),
    ("police killed the gunman", "the gunman was shot down by police"),
    ("A quick brown fox jumps over the lazy dog", "the lazy dog was jumped over"),
    ("Refund of 42.50 EUR issued on 2024-03-01", "refund 42.50 eur issued 2024-03-01"),
    ("Patient reports chest pain, no fever.", "Chest pain reported; patient has no fever."),
    ("Café au lait, s'il vous plaît", "cafe au lait s il vous plait"),
    ("数据 驱动 的 模型", "数据驱动模型"),
    ("emoji 🙂 here", "emoji 🙂 there"),
    ("tabs\tand\nnewlines   and  spaces", "tabs and newlines and spaces"),
    ("no\u00a0break\u2003spaces", "no break spaces"),
    ("repeat repeat repeat", "repeat"),
    ("one two three four five", "five four three two one"),
    ("short", "a much longer prediction than the short target"),
    ("something", ""),
    ("", "something"),
    ("!!!", "???"),
    ("Hello, World", "hello world"),
]


def main(out):
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    chrf = CHRF()
    cases = []
    for target, prediction in CASES:
        r = scorer.score(target, prediction)["rougeL"]
        cases.append({
            "target": target,
            "prediction": prediction,
            "rougeL": {"precision": r.precision, "recall": r.recall, "f": r.fmeasure},
            "chrF": chrf.sentence_score(prediction, [target]).score,
        })
    corpus = chrf.corpus_score([c[1] for c in CASES], [[c[0] for c in CASES]]).score
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"cases": cases, "chrFCorpus": corpus, "rouge-score": version("rouge-score"),
                   "sacrebleu": version("sacrebleu")}, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
