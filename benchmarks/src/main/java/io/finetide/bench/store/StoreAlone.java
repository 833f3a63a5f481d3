package io.finetide.bench.store;

import java.util.ArrayList;
import java.util.List;

import org.bson.Document;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;

/** The ingestion benchmark's reference: the store written directly, without the service in front. */
public final class StoreAlone {

    private StoreAlone() {
    }

    /**
     * The ceiling the store puts on ingestion: documents shaped as the service stores them (text, label, metadata,
     * content hash, SimHash, source, time), written with the same batch size into a scratch database of the same
     * FerretDB, with nothing else going on.
     */
    public static double rate(String mongoUri, String task, List<String> texts, int examples) {
        try (MongoClient mongo = MongoClients.create(mongoUri)) {
            MongoCollection<Document> c = mongo.getDatabase("bench_store_alone")
                    .getCollection("examples");
            long t0 = System.nanoTime();
            for (int from = 0; from < examples; from += 500) {
                List<Document> batch = new ArrayList<>();
                for (int i = from; i < Math.min(examples, from + 500); i++) {
                    String text = texts.get(i % texts.size()) + " #" + i;
                    batch.add(new Document("_id", task + "/s-" + i).append("task", task).append("exampleId",
                            "s-" + i).append("text", text).append("label", i % 2 == 0 ? "positive" : "negative")
                            .append("metadata", new Document()).append("contentHash", Integer.toHexString(
                                    text.hashCode()))
                            .append("simhash", (long) text.hashCode() * 31).append(
                                    "redactions", new Document())
                            .append("source",
                                    "finetide.examples.raw/0@" + i)
                            .append("ingestedAtMs", System
                                    .currentTimeMillis())
                            .append("tokens", List.of()));
                }
                c.insertMany(batch, new InsertManyOptions().ordered(false));
            }
            return examples / ((System.nanoTime() - t0) / 1e9);
        }
    }
}
