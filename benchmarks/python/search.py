"""Optuna's samplers on the search benchmark's test functions (./finetide bench search): for each function, sampler
and seed, the best value after every trial, as JSON on stdout. The functions are the same as SearchFunctions.java."""
import json
import math
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)

ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650],
     [4047, 8828, 8732, 5743, 1091, 381]]


def branin(t):
    x1 = t.suggest_float("x1", -5, 10)
    x2 = t.suggest_float("x2", 0, 15)
    b, c, s = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - s) * math.cos(x1) + 10


def hartmann6(t):
    x = [t.suggest_float(f"x{j}", 0, 1) for j in range(6)]
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j] * 1e-4) ** 2 for j in range(6))) for i in range(4))


def conditional(t):
    strategy = t.suggest_categorical("strategy", ["FULL", "LORA", "HEAD_ONLY"])
    lr = math.log10(t.suggest_float("learningRate", 1e-5, 1e-1, log=True))
    if strategy == "LORA":
        rank = t.suggest_int("loraRank", 1, 64, log=True)
        return (lr + 3) ** 2 + (math.log2(rank) - 3) ** 2 / 4
    if strategy == "FULL":
        return (lr + 4) ** 2 + 0.5
    return (lr + 2.5) ** 2 + 1.0


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "conditional": conditional}
SAMPLERS = {"optuna-tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
            "optuna-tpe-univariate": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=False),
            "optuna-random": lambda seed: optuna.samplers.RandomSampler(seed=seed)}


def main():
    functions, seeds, trials = sys.argv[1].split(","), int(sys.argv[2]), int(sys.argv[3])
    out = {}
    for f in functions:
        for name, make in SAMPLERS.items():
            runs = []
            for seed in range(seeds):
                study = optuna.create_study(sampler=make(seed))
                study.optimize(FUNCTIONS[f], n_trials=trials)
                best, curve = math.inf, []
                for trial in study.trials:
                    best = min(best, trial.value)
                    curve.append(best)
                runs.append(curve)
            out[f + "/" + name] = runs
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
