package io.finetide.launcher.chaos;

import io.finetide.platform.errors.ReasonCode;

/**
 * One record of the campaign's stream and what must become of it.
 *
 * @param labels whether it goes to the labels topic (a late label) rather than the raw topic
 * @param protobuf whether it is sent with {@code content-type: application/x-protobuf}
 * @param id the example it is about ({@code null} when it has none a reader could find)
 * @param reason for a record that must be rejected, the reason its dead letter must give
 */
public record ChaosRecord(boolean labels, byte[] value, boolean protobuf, Fate fate, String id, String label,
        ReasonCode reason) {

    /** What must become of a record. */
    public enum Fate {
        /** Stored once with its label, and in the final snapshot once. */
        STORED_LABELLED,
        /** Stored once without a label; in no snapshot. */
        STORED_UNLABELLED,
        /** Not stored again: its id, or its text under another id, is stored already. */
        DUPLICATE,
        /** In the dead-letter topic once, with its reason; stored nowhere. */
        REJECTED
    }
}
