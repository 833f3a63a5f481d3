package io.finetide.platform.errors;

/** Why a record or request was refused. The code travels in dead-letter headers, HTTP bodies and metric tags. */
public enum ReasonCode {
    // @formatter:off
    MALFORMED_PAYLOAD(400),
    INVALID_UTF8(400),
    MISSING_FIELD(400),
    EMPTY_TEXT(422),
    TEXT_TOO_LONG(422),
    UNKNOWN_TASK(422),
    UNKNOWN_LABEL(422),
    TOKEN_TAG_MISMATCH(422),
    UNSUPPORTED_SCHEMA_VERSION(422),
    UNSUPPORTED_CONTENT_TYPE(415),
    INVALID_TASK(422),
    EMPTY_AFTER_CLEANING(422),
    TEXT_TOO_SHORT(422),
    UNTOKENIZABLE(422),
    UNKNOWN_EXAMPLE(404),
    INVALID_LABELING_FUNCTION(422),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    NOT_ACCEPTABLE(406),
    BATCH_TOO_LARGE(413),
    URI_TOO_LONG(414),
    INVALID_STUDY(422),
    NO_SNAPSHOT(409),
    NO_COMPLETE_TRIAL(409),
    INVALID_DISTILLATION(422),
    NO_TEACHER(409),
    INVALID_BASE_MODEL(422),
    BASE_MODEL_CONFLICT(409),
    TASK_NOT_ALLOWED(403),
    ANNOTATOR_NOT_CALLER(403),
    PRIVACY_BUDGET_EXHAUSTED(409),
    PROCESSING_FAILED(500);
    // @formatter:on

    private final int httpStatus;

    ReasonCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The reason of a refusal the HTTP layer made before Finetide's code ran (no route, wrong method...). */
    public static ReasonCode ofStatus(int status) {
        return switch (status) {
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 413 -> BATCH_TOO_LARGE;
            case 414 -> URI_TOO_LONG;
            case 415 -> UNSUPPORTED_CONTENT_TYPE;
            default -> status >= 500 ? PROCESSING_FAILED : MALFORMED_PAYLOAD;
        };
    }

    /** Lower-case, dash-separated form used in metric tags and JSON. */
    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
