package io.finetide.platform.errors;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Headers of a dead-letter record. The value is the original payload, byte for byte, so that nothing is lost and a
 * fixed producer can replay it.
 */
public final class DeadLetters {

    public static final String REASON = "finetide-dlq-reason";
    public static final String MESSAGE = "finetide-dlq-message";
    public static final String SERVICE = "finetide-dlq-service";
    public static final String ORIGINAL_TOPIC = "finetide-dlq-original-topic";
    public static final String ORIGINAL_PARTITION = "finetide-dlq-original-partition";
    public static final String ORIGINAL_OFFSET = "finetide-dlq-original-offset";

    private DeadLetters() {
    }

    public static List<Header> headers(String service, ReasonCode reason, String message, String topic, int partition,
            long offset) {
        List<Header> headers = new ArrayList<>();
        headers.add(header(REASON, reason.name()));
        headers.add(header(MESSAGE, message == null ? "" : message));
        headers.add(header(SERVICE, service));
        if (topic != null) {
            headers.add(header(ORIGINAL_TOPIC, topic));
            headers.add(header(ORIGINAL_PARTITION, Integer.toString(partition)));
            headers.add(header(ORIGINAL_OFFSET, Long.toString(offset)));
        }
        return headers;
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
