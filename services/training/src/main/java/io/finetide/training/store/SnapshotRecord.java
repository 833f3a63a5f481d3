package io.finetide.training.store;

import org.bson.Document;
import org.bson.types.Binary;

import com.google.protobuf.InvalidProtocolBufferException;

import io.finetide.proto.v1.DatasetSnapshotEvent;

/**
 * A dataset snapshot this service was handed, in collection {@code snapshots} keyed by snapshot id: what a study's
 * trials train on, found by id or as a task's latest.
 */
public record SnapshotRecord(DatasetSnapshotEvent snapshot, long receivedAtMs) {

    public static final String COLLECTION = "snapshots";

    Document toDocument() {
        return new Document("_id", snapshot.getSnapshotId()).append("task", snapshot.getMeta().getTask()).append(
                "version", snapshot.getVersion()).append("receivedAtMs", receivedAtMs).append("event", new Binary(
                        snapshot.toByteArray()));
    }

    static SnapshotRecord fromDocument(Document d) {
        try {
            return new SnapshotRecord(DatasetSnapshotEvent.parseFrom(d.get("event", Binary.class).getData()), d
                    .getLong("receivedAtMs"));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("snapshot " + d.get("_id") + " is stored damaged", e);
        }
    }
}
