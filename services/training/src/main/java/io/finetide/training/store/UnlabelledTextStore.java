package io.finetide.training.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;

import io.finetide.platform.store.Documents;
import io.finetide.proto.v1.UnlabelledExampleEvent;

/**
 * A task's unlabelled examples as ingestion announced them, in collection {@code unlabelled_texts} keyed by
 * {@code task/id}: what a distilled student learns from besides the labelled ones (the teacher labels them). An example
 * announced again (after each promotion) is stored once; a deleted one is removed.
 */
@ApplicationScoped
public class UnlabelledTextStore {

    public static final String COLLECTION = "unlabelled_texts";

    /** A stored unlabelled example. */
    public record UnlabelledText(String id, String text) {
    }

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(COLLECTION);
    }

    /** Stores the examples not stored yet; returns the keys ({@code task/id}) of those that were new. */
    public Set<String> keep(List<UnlabelledExampleEvent> events) {
        Map<String, Document> docs = new LinkedHashMap<>();
        long now = System.currentTimeMillis();
        for (UnlabelledExampleEvent e : events) {
            String task = e.getMeta().getTask();
            docs.put(task + "/" + e.getId(), new Document("_id", task + "/" + e.getId()).append("task", task).append(
                    "exampleId", e.getId()).append("text", e.getText()).append("receivedAtMs", now));
        }
        return Documents.insertAllOnce(collection(), docs);
    }

    /** Removes the task's examples of these ids; returns how many there were. */
    public long forget(String task, List<String> ids) {
        return collection().deleteMany(Filters.in("_id", ids.stream().map(id -> task + "/" + id).toList()))
                .getDeletedCount();
    }

    /** Up to {@code limit} of the task's unlabelled examples, newest first, leaving out the ids in {@code except}. */
    public List<UnlabelledText> newest(String task, Set<String> except, int limit) {
        List<UnlabelledText> out = new ArrayList<>();
        for (Document d : collection().find(Filters.eq("task", task)).sort(Sorts.descending("receivedAtMs"))) {
            if (out.size() >= limit) {
                break;
            }
            if (!except.contains(d.getString("exampleId"))) {
                out.add(new UnlabelledText(d.getString("exampleId"), d.getString("text")));
            }
        }
        return out;
    }
}
