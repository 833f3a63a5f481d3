package io.finetide.training.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;

import io.finetide.platform.store.Documents;

/** The privacy ledger: every charge of every private run, by task. */
@ApplicationScoped
public class PrivacyLedgerStore {

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(PrivacyChargeRecord.COLLECTION);
    }

    public Optional<PrivacyChargeRecord> find(String snapshotId) {
        return Optional.ofNullable(Documents.byId(collection(), snapshotId)).map(PrivacyChargeRecord::fromDocument);
    }

    /** Records a charge unless the snapshot has one already (a replay); returns whether this call recorded it. */
    public boolean charge(PrivacyChargeRecord charge) {
        return Documents.insertOnce(collection(), charge.snapshotId(), charge.toDocument());
    }

    /** Every charge of the task, oldest first. */
    public List<PrivacyChargeRecord> forTask(String task) {
        List<PrivacyChargeRecord> out = new ArrayList<>();
        collection().find(Filters.eq("task", task)).sort(Sorts.ascending("chargedAtMs")).forEach(d -> out.add(
                PrivacyChargeRecord.fromDocument(d)));
        return out;
    }
}
