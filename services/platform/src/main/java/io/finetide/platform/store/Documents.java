package io.finetide.platform.store;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.result.UpdateResult;

/**
 * Idempotent writes that work on MongoDB and FerretDB alike (no transactions): every write is keyed by a unique
 * {@code _id}, so replaying it changes nothing.
 */
public final class Documents {

    private Documents() {
    }

    /**
     * Inserts {@code doc} under {@code id} unless a document with that id exists.
     *
     * @return true when this call inserted it, false when it was already there
     */
    public static boolean insertOnce(MongoCollection<Document> collection, String id, Document doc) {
        Document body = new Document(doc);
        body.remove("_id");
        try {
            UpdateResult r = collection.updateOne(Filters.eq("_id", id), new Document("$setOnInsert", body),
                    new UpdateOptions().upsert(true));
            return r.getUpsertedId() != null;
        } catch (MongoWriteException e) {
            // Two writers raced on the same id: the other one inserted it.
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    /** Replaces (or creates) the document with {@code id}: for state that is recomputed, not accumulated. */
    public static void put(MongoCollection<Document> collection, String id, Document doc) {
        Document body = new Document(doc);
        body.put("_id", id);
        collection.replaceOne(Filters.eq("_id", id), body, new ReplaceOptions().upsert(true));
    }

    public static Document byId(MongoCollection<Document> collection, String id) {
        return collection.find(Filters.eq("_id", id)).first();
    }

    public static Bson id(String id) {
        return Filters.eq("_id", id);
    }
}
