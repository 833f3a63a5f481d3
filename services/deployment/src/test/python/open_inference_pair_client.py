"""Asks a pair classifier through Finetide's Open Inference Protocol with Triton's own clients (HTTP, whose tensors
travel in the binary extension by default, and gRPC): two BYTES inputs, "text" and "text_pair". Prints what it saw
as one JSON object for the Java test to check against known values.

usage: open_inference_pair_client.py HOST:PORT MODEL FIRST SECOND [FIRST SECOND ...]
"""
import json
import sys

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from triton_answers import refused


def pair_inputs(module, first, second, order=("text", "text_pair")):
    tensors = {}
    for name, texts in (("text", first), ("text_pair", second)):
        tensor = module.InferInput(name, [len(texts)], "BYTES")
        tensor.set_data_from_numpy(np.array(texts, dtype=np.object_))
        tensors[name] = tensor
    return [tensors[name] for name in order]


def probabilities(result):
    return result.as_numpy("probabilities").astype(float).tolist()


def main():
    url, model, texts = sys.argv[1], sys.argv[2], sys.argv[3:]
    first, second = texts[0::2], texts[1::2]
    http = httpclient.InferenceServerClient(url=url)
    grpc = grpcclient.InferenceServerClient(url=url)
    only_text = httpclient.InferInput("text", [len(first)], "BYTES")
    only_text.set_data_from_numpy(np.array(first, dtype=np.object_))
    out = {
        "http_metadata": http.get_model_metadata(model),
        "grpc_metadata": grpc.get_model_metadata(model, as_json=True),
        "http": probabilities(http.infer(model, pair_inputs(httpclient, first, second))),
        "http_reversed_order": probabilities(http.infer(model, pair_inputs(httpclient, first, second,
                                                                           ("text_pair", "text")))),
        "grpc": probabilities(grpc.infer(model, pair_inputs(grpcclient, first, second))),
        "http_single": refused(lambda: http.infer(model, [only_text])),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
