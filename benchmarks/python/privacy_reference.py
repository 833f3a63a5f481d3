"""The reference table the model library's Renyi-DP accountant is checked against (RdpAccountantTest).

Google's dp-accounting (PyPI) computes epsilon for the Poisson-subsampled Gaussian mechanism composed over a number of
steps, with its default orders and its conversion to (epsilon, delta). Run in a virtual environment with dp-accounting
installed:

    python -m venv .run/privacy-venv && .run/privacy-venv/bin/pip install dp-accounting==0.6.0
    .run/privacy-venv/bin/python benchmarks/python/privacy_reference.py \
        > services/model/src/test/resources/privacy/rdp-reference.tsv
"""
import importlib.metadata

import dp_accounting
from dp_accounting import rdp

CASES = [
    # (sampling rate q, noise multiplier sigma, steps, delta)
    (0.01, 1.1, 1000, 1e-5),
    (0.01, 1.1, 10000, 1e-5),
    (0.01, 0.7, 1000, 1e-5),
    (0.01, 2.0, 5000, 1e-6),
    (0.004, 1.0, 15000, 1e-5),
    (0.001, 0.8, 100, 1e-5),
    (0.05, 1.5, 200, 1e-5),
    (0.1, 3.0, 500, 1e-5),
    (0.2, 0.9, 50, 1e-3),
    (0.5, 5.0, 100, 1e-5),
    (1.0, 10.0, 10, 1e-5),
    (1.0, 1.0, 1, 1e-5),
    (0.03, 0.6, 30, 1e-4),
    (0.0128, 1.3, 2344, 1e-5),
    (0.256, 8.0, 391, 1e-5),
    (0.002, 4.0, 1, 1e-5),
]


def epsilon(q, sigma, steps, delta):
    accountant = rdp.RdpAccountant()
    event = dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(sigma))
    accountant.compose(dp_accounting.SelfComposedDpEvent(event, steps))
    return accountant.get_epsilon(delta)


def composed(parts, delta):
    """Several runs of different settings on one dataset: their RDP adds up per order."""
    accountant = rdp.RdpAccountant()
    for q, sigma, steps in parts:
        event = dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(sigma))
        accountant.compose(dp_accounting.SelfComposedDpEvent(event, steps))
    return accountant.get_epsilon(delta)


print(f"# dp-accounting {importlib.metadata.version('dp-accounting')}, RdpAccountant with its default orders; "
      "written by benchmarks/python/privacy_reference.py")
print("# runs (q:sigma:steps, comma-separated)\tdelta\tepsilon")
for q, sigma, steps, delta in CASES:
    print(f"{q}:{sigma}:{steps}\t{delta}\t{float(epsilon(q, sigma, steps, delta))!r}")
for parts, delta in [
    ([(0.01, 1.1, 1000), (0.02, 1.1, 500)], 1e-5),
    ([(0.05, 2.0, 100), (0.05, 2.0, 100), (0.1, 1.0, 20)], 1e-5),
]:
    runs = ",".join(f"{q}:{s}:{n}" for q, s, n in parts)
    print(f"{runs}\t{delta}\t{float(composed(parts, delta))!r}")
