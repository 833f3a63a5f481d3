"""Drives Finetide's Open Inference Protocol (KServe V2) over gRPC with Triton's own gRPC client, which nobody at
Finetide wrote, and prints what it saw as one JSON object for the Java test to check against known values.

usage: open_inference_grpc_client.py HOST:PORT MODEL PINNED_VERSION TEXT...
"""
import json
import sys

import numpy as np
import tritonclient.grpc as grpcclient
from triton_answers import text, refused


def infer(client, model, texts, version="", outputs=("label", "confidence", "probabilities", "prediction_id")):
    data = grpcclient.InferInput("text", [len(texts)], "BYTES")
    data.set_data_from_numpy(np.array(texts, dtype=np.object_))
    asked = [grpcclient.InferRequestedOutput(name) for name in outputs]
    result = client.infer(model, [data], model_version=version, outputs=asked, request_id="req-9")
    response = result.get_response()
    return {
        "model_name": response.model_name,
        "model_version": response.model_version,
        "id": response.id,
        "labels": [text(v) for v in result.as_numpy("label").reshape(-1)],
        "confidences": [float(v) for v in result.as_numpy("confidence").reshape(-1)],
        "probabilities": result.as_numpy("probabilities").astype(float).tolist(),
        "prediction_ids": [text(v) for v in result.as_numpy("prediction_id").reshape(-1)],
    }


def main():
    url, model, pinned, texts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    client = grpcclient.InferenceServerClient(url=url)
    metadata = client.get_model_metadata(model, as_json=True)
    out = {
        "live": client.is_server_live(),
        "ready": client.is_server_ready(),
        "server": client.get_server_metadata(as_json=True),
        "model_ready": client.is_model_ready(model),
        "unknown_model_ready": client.is_model_ready("no-such-model"),
        "metadata": metadata,
        "champion": infer(client, model, texts),
        "pinned": infer(client, model, texts, version=pinned),
        "unknown_model": refused(lambda: infer(client, "no-such-model", texts)),
        "unknown_version": refused(lambda: infer(client, model, texts, version="99")),
        "unknown_output": refused(lambda: infer(client, model, texts, outputs=("label", "no-such-output"))),
        "wrong_datatype": refused(lambda: client.infer(model, [
            grpcclient.InferInput("text", [1], "FP32").set_data_from_numpy(np.array([1.0], dtype=np.float32))])),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
