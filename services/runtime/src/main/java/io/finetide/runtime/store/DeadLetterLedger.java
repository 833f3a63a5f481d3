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

import io.finetide.platform.store.Documents;
import io.quarkus.arc.properties.UnlessBuildProperty;

/**
 * Which refused records already have their dead letter, by position ({@code topic/partition@offset/timestamp}, the
 * timestamp telling a recreated topic's records apart): a batch replayed after a crash does not dead-letter them
 * again. Collection {@value #COLLECTION} in the service's database.
 */
@ApplicationScoped
@UnlessBuildProperty(name = "finetide.store.enabled", stringValue = "false", enableIfMissing = true)
public class DeadLetterLedger {

    public static final String COLLECTION = "dead_letters_sent";

    @Inject
    MongoDatabase database;

    private MongoCollection<Document> collection() {
        return database.getCollection(COLLECTION);
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
