"""Schemathesis checks of Finetide's own promises, beyond "no 5xx" (loaded with SCHEMATHESIS_HOOKS=finetide_checks)."""
import json

import schemathesis


@schemathesis.check
def refusal_has_reason(ctx, response, case):
    """Every 4xx answer says why: {"reason", "message"}, or the Open Inference protocol's {"error"} under /v2 (where
    a readiness answer, {"ready": false}, is the protocol's 4xx for "not ready")."""
    if not 400 <= response.status_code < 500:
        return None
    if response.status_code in (414, 431):
        # The HTTP server's own refusal of a request line or headers too long, before any of Finetide's code: its
        # reason is its status line.
        return None
    path = case.operation.path
    keys = ("error", "ready") if path == "/v2" or path.startswith("/v2/") else ("reason",)
    try:
        body = json.loads(response.content or b"")
    except ValueError:
        raise AssertionError(f"{response.status_code} without a JSON body saying why")
    if not isinstance(body, dict) or not any(k in body and str(body[k]).strip() != "" for k in keys):
        raise AssertionError(f"{response.status_code} without its {' or '.join(keys)}: {str(body)[:200]}")
    return None
