package io.finetide.ingestion.store;

import org.bson.Document;

import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.proto.v1.TaskDefinitionEvent;

/** A task as stored in collection {@code tasks}, keyed by name; the definition is kept as its JSON form. */
public record TaskRecord(String name, String definitionJson, long createdAtMs) {

    public static final String COLLECTION = "tasks";

    public static TaskRecord of(TaskDefinitionEvent task) {
        return new TaskRecord(task.getName(), TaskDefinitions.toJson(task), task.getCreatedAtMs());
    }

    public TaskDefinitionEvent definition() {
        return TaskDefinitions.fromJson(definitionJson);
    }

    public Document toDocument() {
        return new Document("_id", name).append("definition", definitionJson).append("createdAtMs", createdAtMs);
    }

    public static TaskRecord fromDocument(Document d) {
        return new TaskRecord(d.getString("_id"), d.getString("definition"), d.getLong("createdAtMs"));
    }
}
