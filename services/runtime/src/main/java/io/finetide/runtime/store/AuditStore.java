package io.finetide.runtime.store;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;

import io.finetide.runtime.audit.AuditEntry;
import io.quarkus.arc.properties.UnlessBuildProperty;

/** The service's audit log, collection {@value #COLLECTION}: written once per action, never changed. */
@ApplicationScoped
@UnlessBuildProperty(name = "finetide.store.enabled", stringValue = "false", enableIfMissing = true)
public class AuditStore {

    public static final String COLLECTION = "audit_log";

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(COLLECTION);
    }

    public void insert(AuditEntry e) {
        collection().insertOne(new Document("_id", UUID.randomUUID().toString()).append("actor", e.actor()).append(
                "action", e.action()).append("task", e.task()).append("reason", e.reason()).append("status", e
                        .status())
                .append("atMs", e.atMs()));
    }

    /** The newest first, at most {@code limit}; {@code actor} and {@code task} filter when not empty. */
    public List<AuditEntry> find(String actor, String task, long sinceMs, int limit) {
        List<Bson> filters = new ArrayList<>(List.of(Filters.gte("atMs", sinceMs)));
        if (!actor.isEmpty()) {
            filters.add(Filters.eq("actor", actor));
        }
        if (!task.isEmpty()) {
            filters.add(Filters.eq("task", task));
        }
        List<AuditEntry> out = new ArrayList<>();
        collection().find(Filters.and(filters)).sort(Sorts.descending("atMs")).limit(limit).forEach(d -> out.add(
                new AuditEntry(d.getString("actor"), d.getString("action"), d.getString("task"), d.getString(
                        "reason"), d.getInteger("status"), d.getLong("atMs"))));
        return out;
    }
}
