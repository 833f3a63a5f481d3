package io.finetide.platform.events;

import java.util.UUID;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.proto.v1.EventMeta;

/** Envelope helpers shared by every producer and consumer of events. */
public final class Events {

    /** The schema version this build writes and the newest it reads. */
    public static final int SCHEMA_VERSION = 1;

    /** Kafka header a producer sets to say how the value is encoded. */
    public static final String CONTENT_TYPE_HEADER = "content-type";
    public static final String CONTENT_TYPE_PROTOBUF = "application/x-protobuf";
    public static final String CONTENT_TYPE_JSON = "application/json";

    private Events() {
    }

    public static EventMeta meta(String task) {
        return EventMeta.newBuilder()
                .setSchemaVersion(SCHEMA_VERSION)
                .setEventId(UUID.randomUUID().toString())
                .setTask(task)
                .setOccurredAtMs(System.currentTimeMillis())
                .build();
    }

    /** Refuses events written by a newer schema than this build understands. */
    public static void requireSupported(EventMeta meta) {
        if (meta.getSchemaVersion() > SCHEMA_VERSION) {
            throw new RejectedException(ReasonCode.UNSUPPORTED_SCHEMA_VERSION,
                    "schema version " + meta.getSchemaVersion() + " is newer than " + SCHEMA_VERSION);
        }
        if (meta.getTask().isEmpty()) {
            throw new RejectedException(ReasonCode.MISSING_FIELD, "event has no task");
        }
    }

    /** Parses a protobuf event value, turning a decoding failure into a rejection rather than a crash. */
    public static <T> T parse(byte[] value, ProtoParser<T> parser) {
        if (value == null) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "record has no value");
        }
        try {
            return parser.parse(value);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "not a valid protobuf event: " + e.getMessage());
        }
    }

    @FunctionalInterface
    public interface ProtoParser<T> {
        T parse(byte[] bytes) throws com.google.protobuf.InvalidProtocolBufferException;
    }
}
