package io.finetide.platform.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOptions;

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
        Document body = new Document("_id", id);
        doc.forEach((k, v) -> {
            if (!k.equals("_id")) {
                body.append(k, v);
            }
        });
        try {
            // A plain insert, not an upsert with $setOnInsert: of writers racing on one id, FerretDB answers the
            // upsert's losers with a reply the driver cannot read (no "n"), and an insert's with a duplicate key.
            collection.insertOne(body);
            return true;
        } catch (MongoWriteException e) {
            // Two writers raced on the same id: the other one inserted it.
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Inserts each document under its id unless one with that id exists. Looks the ids up first, then inserts only
     * the new ones with one unordered {@code insertMany}: on FerretDB an upsert scans its whole collection, a lookup
     * and an insert do not; on MongoDB both are index operations.
     *
     * @param docs id to document, in the order to write them
     * @return the ids this call inserted
     */
    public static Set<String> insertAllOnce(MongoCollection<Document> collection, Map<String, Document> docs) {
        Set<String> existing = existingIds(collection, docs.keySet());
        Map<String, Document> fresh = new LinkedHashMap<>(docs);
        fresh.keySet().removeAll(existing);
        return insertNew(collection, fresh);
    }

    /**
     * At most this many ids are looked up one by one, more with one {@code $in}. FerretDB's SQLite backend looks a
     * document up by key only for an {@code _id} equality and scans the whole collection for an {@code $in}, even of
     * one id: at 20,000 documents 3.5 ms a look-up against 38 ms a scan, at 70,000 6 ms against 55 ms (and 1.6 s for
     * an {@code $in} of 100), so the dead-letter ledger of a long fuzzing run made every refused record of a
     * single-record channel slower than the last. On MongoDB both are index look-ups: a few round trips cost little,
     * hundreds would.
     */
    public static final int ONE_BY_ONE = 32;

    /** The ids among {@code ids} that have a document. */
    public static Set<String> existingIds(MongoCollection<Document> collection, Collection<String> ids) {
        Set<String> out = new HashSet<>();
        if (ids.size() > ONE_BY_ONE) {
            collection.find(Filters.in("_id", ids)).projection(Projections.include("_id"))
                    .forEach(d -> out.add(d.getString("_id")));
            return out;
        }
        for (String id : new java.util.LinkedHashSet<>(ids)) {
            if (collection.find(Filters.eq("_id", id)).projection(Projections.include("_id")).first() != null) {
                out.add(id);
            }
        }
        return out;
    }

    /**
     * Inserts documents believed new; one that another writer inserted meanwhile fails as a duplicate and is left
     * out of the result, not an error.
     *
     * @return the ids this call inserted
     */
    public static Set<String> insertNew(MongoCollection<Document> collection, Map<String, Document> docs) {
        if (docs.isEmpty()) {
            return Set.of();
        }
        List<String> ids = new ArrayList<>(docs.keySet());
        List<Document> bodies = new ArrayList<>(ids.size());
        for (String id : ids) {
            Document body = new Document(docs.get(id));
            body.put("_id", id);
            bodies.add(body);
        }
        Set<String> inserted = new HashSet<>(ids);
        try {
            collection.insertMany(bodies, new InsertManyOptions().ordered(false));
        } catch (MongoBulkWriteException e) {
            for (var error : e.getWriteErrors()) {
                if (ErrorCategory.fromErrorCode(error.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                    throw e;
                }
                inserted.remove(ids.get(error.getIndex()));
            }
        }
        return inserted;
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
