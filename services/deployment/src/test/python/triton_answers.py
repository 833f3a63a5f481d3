"""What the client scripts share: reading Triton's BYTES answers as text, and a refusal as its status and message."""
from tritonclient.utils import InferenceServerException


def text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def refused(call):
    try:
        call()
    except InferenceServerException as e:
        return {"status": str(e.status()), "message": e.message()}
    return None
