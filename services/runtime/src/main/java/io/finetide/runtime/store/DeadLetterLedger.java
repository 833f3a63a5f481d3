package io.finetide.runtime.store;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.bson.Document;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;

import io.finetide.platform.store.Documents;
import io.quarkus.arc.properties.UnlessBuildProperty;

/**
 * Which refused records already have their dead letter, by position ({@code topic/partition@offset/timestamp}, the
 * timestamp telling a recreated topic's records apart): a batch replayed after a crash does not dead-letter them
 * again. Collection {@value #COLLECTION} in the service's database.
 * <p>
 * Beside it, collection {@value #MARKS} holds each partition's mark: the highest offset a dead letter was about to be
 * sent for, raised before sending. Only a record at or below its partition's mark can have a dead letter already, so
 * only those (a replay's) are looked up: the common case, a refused record never seen before, costs one keyed write
 * instead of a look-up in a ledger that grows with every dead letter (on FerretDB, looking up a batch's positions at
 * once scans the whole collection).
 */
@ApplicationScoped
@UnlessBuildProperty(name = "finetide.store.enabled", stringValue = "false", enableIfMissing = true)
public class DeadLetterLedger {

    public static final String COLLECTION = "dead_letters_sent";
    public static final String MARKS = "dead_letter_marks";

    /** A partition's mark before any dead letter was sent from it. */
    public static final long NO_MARK = -1;

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(COLLECTION);
    }

    /**
     * Raises a partition's mark to {@code offset} (a mark never goes down) before dead letters up to it are sent.
     *
     * @param partition {@code topic/partition}
     * @return the mark before, {@link #NO_MARK} when there was none: positions above it have no dead letter yet
     */
    public long raiseMark(String partition, long offset) {
        MongoCollection<Document> marks = database.getCollection(MARKS);
        while (true) {
            Document before = marks.findOneAndUpdate(Filters.eq("_id", partition), Updates.max("offset", offset),
                    new FindOneAndUpdateOptions().returnDocument(ReturnDocument.BEFORE));
            if (before != null) {
                return before.get("offset", Number.class).longValue();
            }
            // No upsert: of writers racing to create one id, FerretDB answers an upsert's losers with a reply the
            // driver cannot read. The loser of this insert raises the winner's mark instead.
            if (Documents.insertOnce(marks, partition, new Document("offset", offset))) {
                return NO_MARK;
            }
        }
    }

    /**
     * Which of these positions were dead-lettered before: a few looked up by key, a batch's many in one read
     * ({@link Documents#existingIds}).
     */
    public Set<String> sentAmong(Collection<String> positions) {
        return Documents.existingIds(collection(), positions);
    }

    public void recordSent(Collection<String> positions, long now) {
        Map<String, Document> docs = new LinkedHashMap<>();
        positions.forEach(p -> docs.put(p, new Document("sentAtMs", now)));
        Documents.insertNew(collection(), docs);
    }
}
