"""Drives Finetide's Open Inference Protocol (KServe V2) endpoints with Triton's own HTTP client, which nobody at
Finetide wrote, and prints what it saw as one JSON object for the Java test to check against known values.

usage: open_inference_client.py HOST:PORT MODEL PINNED_VERSION TEXT...
"""
import json
import sys

import numpy as np
import tritonclient.http as httpclient
from triton_answers import text, refused


def infer(client, model, texts, binary, version=""):
    data = httpclient.InferInput("text", [len(texts)], "BYTES")
    data.set_data_from_numpy(np.array(texts, dtype=np.object_), binary_data=binary)
    outputs = [httpclient.InferRequestedOutput(name, binary_data=binary)
               for name in ("label", "confidence", "probabilities")]
    result = client.infer(model, [data], model_version=version, outputs=outputs, request_id="req-7")
    return {
        "model_name": result.get_response()["model_name"],
        "model_version": result.get_response()["model_version"],
        "id": result.get_response().get("id"),
        "labels": [text(v) for v in result.as_numpy("label").reshape(-1)],
        "confidences": [float(v) for v in result.as_numpy("confidence").reshape(-1)],
        "probabilities": result.as_numpy("probabilities").astype(float).tolist(),
    }


def main():
    url, model, pinned, texts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    client = httpclient.InferenceServerClient(url=url)
    # No outputs named: Triton's client then asks for every output as binary, its default.
    default_data = httpclient.InferInput("text", [len(texts)], "BYTES")
    default_data.set_data_from_numpy(np.array(texts, dtype=np.object_))
    default = client.infer(model, [default_data])
    out = {
        "live": client.is_server_live(),
        "ready": client.is_server_ready(),
        "server": client.get_server_metadata(),
        "model_ready": client.is_model_ready(model),
        "unknown_model_ready": client.is_model_ready("no-such-model"),
        "metadata": client.get_model_metadata(model),
        "json": infer(client, model, texts, binary=False),
        "binary": infer(client, model, texts, binary=True),
        "default_labels": [text(v) for v in default.as_numpy("label").reshape(-1)],
        "default_prediction_ids": [text(v) for v in default.as_numpy("prediction_id").reshape(-1)],
        "pinned": infer(client, model, texts, binary=True, version=pinned),
        "unknown_model": refused(lambda: infer(client, "no-such-model", texts, binary=False)),
        "unknown_version": refused(lambda: infer(client, model, texts, binary=False, version="99")),
        "wrong_datatype": refused(lambda: client.infer(model, [
            httpclient.InferInput("text", [1], "FP32").set_data_from_numpy(np.array([1.0], dtype=np.float32),
                                                                              binary_data=False)])),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
