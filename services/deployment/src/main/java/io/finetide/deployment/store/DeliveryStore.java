package io.finetide.deployment.store;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;

/** Who changed a task's serving by hand or by rule, and why (the audit trail), and whether the task is pinned. */
@ApplicationScoped
public class DeliveryStore {

    static final String ACTIONS = "delivery_actions";
    static final String PINS = "delivery_pins";

    @Inject
    MongoDatabase database;

    public void record(DeliveryActionRecord action) {
        database.getCollection(ACTIONS).insertOne(action.toDocument());
    }

    /** The task's actions, oldest first. */
    public List<DeliveryActionRecord> actions(String task) {
        List<DeliveryActionRecord> out = new ArrayList<>();
        database.getCollection(ACTIONS).find(Filters.eq("task", task)).sort(Sorts.ascending("atMs")).forEach(
                d -> out.add(DeliveryActionRecord.fromDocument(d)));
        return out;
    }

    public void pin(String task, boolean pinned) {
        database.getCollection(PINS).replaceOne(Filters.eq("_id", task), new Document("_id", task).append("pinned",
                pinned), new ReplaceOptions().upsert(true));
    }

    /** Whether automatic promotion and rollback are frozen for the task. */
    public boolean pinned(String task) {
        Document d = database.getCollection(PINS).find(Filters.eq("_id", task)).first();
        return d != null && d.getBoolean("pinned", false);
    }
}
