package io.finetide.preprocessing.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;

import io.finetide.preprocessing.preparation.PreparationService;

/**
 * Each task's preparation status as its owner last published it, a document per task: what another replica answers
 * without counting the task's prepared examples (three scans of the collection on FerretDB, more than the 30 s a
 * client waits at 70,000 examples). Written by the task's owner only.
 */
@ApplicationScoped
public class PreparationStatusStore {

    static final String COLLECTION = "preparation_status";

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(COLLECTION);
    }

    public void publish(PreparationService.Status s, long now) {
        Document pending = new Document();
        s.pendingTriggers().forEach(pending::append);
        collection().replaceOne(Filters.eq("_id", s.task()), new Document("_id", s.task()).append("sequence", s
                .sequence()).append("trainingExamples", s.trainingExamples()).append("newTrainingExamples", s
                        .newTrainingExamples())
                .append("lastSnapshotCut", s.lastSnapshotCut()).append("sinceLastSnapshot", s.sinceLastSnapshot())
                .append("pendingTriggers", pending).append("atMs", now), new ReplaceOptions().upsert(true));
    }

    public Optional<PreparationService.Status> find(String task) {
        Document d = collection().find(Filters.eq("_id", task)).first();
        if (d == null) {
            return Optional.empty();
        }
        Map<String, String> pending = new LinkedHashMap<>();
        d.get("pendingTriggers", new Document()).forEach((k, v) -> pending.put(k, String.valueOf(v)));
        return Optional.of(new PreparationService.Status(task, number(d, "sequence"), number(d, "trainingExamples"),
                number(d, "newTrainingExamples"), number(d, "lastSnapshotCut"), number(d, "sinceLastSnapshot"),
                pending));
    }

    private static long number(Document d, String field) {
        return ((Number) d.get(field)).longValue();
    }
}
