package io.finetide.training.store;

import org.bson.Document;
import org.bson.types.Binary;

import com.google.protobuf.InvalidProtocolBufferException;

import io.finetide.proto.v1.DistillationRequestedEvent;

/**
 * A request to distil a task's model and how it went, in collection {@code distillations} keyed by request id: a
 * replayed request finds it and trains nothing again.
 *
 * @param modelId the student's id once its run has started; empty before
 */
public record DistillationRecord(DistillationRequestedEvent request, State state, String modelId,
        long requestedAtMs, long endedAtMs, String message) {

    public enum State {
        REQUESTED, RUNNING, COMPLETED, FAILED
    }

    public static final String COLLECTION = "distillations";

    public String requestId() {
        return request.getRequestId();
    }

    public String task() {
        return request.getMeta().getTask();
    }

    public DistillationRecord with(State next, String model, long ended, String why) {
        return new DistillationRecord(request, next, model, requestedAtMs, ended, why);
    }

    Document toDocument() {
        return new Document("_id", requestId()).append("task", task()).append("state", state.name()).append(
                "modelId", modelId).append("requestedAtMs", requestedAtMs).append("endedAtMs", endedAtMs).append(
                        "message", message)
                .append("request", new Binary(request.toByteArray()));
    }

    static DistillationRecord fromDocument(Document d) {
        try {
            return new DistillationRecord(DistillationRequestedEvent.parseFrom(d.get("request", Binary.class)
                    .getData()), State.valueOf(d.getString("state")), d.getString("modelId"), d.getLong(
                            "requestedAtMs"),
                    d.getLong("endedAtMs"), d.getString("message"));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("distillation " + d.get("_id") + " is stored damaged", e);
        }
    }
}
