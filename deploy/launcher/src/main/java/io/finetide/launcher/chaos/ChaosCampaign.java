package io.finetide.launcher.chaos;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import com.fasterxml.jackson.databind.JsonNode;

import io.finetide.launcher.DemoDriver;
import io.finetide.launcher.LocalPlatform;
import io.finetide.launcher.ManagedProcess;
import io.finetide.launcher.PlatformClient;
import io.finetide.launcher.Producers;
import io.finetide.launcher.store.PlatformStores;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.events.Events;
import io.finetide.platform.topics.Topics;

/**
 * The fault campaign ({@code ./finetide chaos}): a seeded mixed stream into the raw and labels topics of a platform
 * running two instances each of ingestion, preprocessing and deployment in their consumer groups, while the first
 * ingestion and preprocessing instances are killed with SIGKILL in turn mid-stream and started again (and the broker
 * and the store restarted); then the accounting, from the topics and stores themselves: every record met its fate
 * exactly once (stored, duplicate, or dead-lettered with its reason), and every stored labelled example is in the
 * final snapshot once. The snapshots then go through training, evaluation and deployment under their own kills
 * ({@link TrainingToServing}).
 */
public final class ChaosCampaign {

    static final String TASK = "chaos";
    static final List<String> PREPROCESSING = List.of("preprocessing", "preprocessing-2");
    private static final Duration STALL = Duration.ofMinutes(10);

    /**
     * @param kills    how many times a service is killed (ingestion and preprocessing in turn), spread over the stream
     * @param restarts whether the broker (SIGKILL) and the store (stopped) are also restarted mid-stream
     */
    public record Options(Path root, Path workDir, Path sentences, int records, long seed, int kills,
            boolean restarts) {
    }

    /** One fault of the campaign. */
    enum Fault {
        KILL_INGESTION, KILL_PREPROCESSING, RESTART_BROKER, RESTART_STORE;

        /** The kills in turn; the broker's restart after the first, the store's after the second. */
        static List<Fault> schedule(int kills, boolean restarts) {
            List<Fault> faults = new ArrayList<>();
            for (int k = 0; k < kills; k++) {
                faults.add(k % 2 == 0 ? KILL_INGESTION : KILL_PREPROCESSING);
            }
            if (restarts) {
                faults.add(Math.min(1, faults.size()), RESTART_BROKER);
                faults.add(Math.min(3, faults.size()), RESTART_STORE);
            }
            return faults;
        }
    }

    private final Options o;
    private final Consumer<String> say;

    public ChaosCampaign(Options options, Consumer<String> say) {
        this.o = options;
        this.say = say;
    }

    public Accounting run() throws Exception {
        List<String> sentences = DemoDriver.read(o.sentences(), "s-").stream().map(DemoDriver.Example::text).toList();
        List<ChaosRecord> stream = ChaosStream.generate(TASK, sentences, o.records(), o.seed());
        ChaosRecord marker = ChaosStream.marker(TASK);
        // A run's checkpoint every 5 updates, so that training is killed with one on disk.
        LocalPlatform.Options options = LocalPlatform.Options.isolated(o.root(), o.workDir()).withEnv(Map.of(
                "FINETIDE_TRAINING_CHECKPOINT_EVERY_STEPS", "5"));
        try (LocalPlatform platform = LocalPlatform.start(options, say);
                PlatformStores stores = new PlatformStores(platform.mongoUri(), options.database());
                KafkaProducer<String, byte[]> producer = Producers.bytes(platform);
                TrainingToServing models = new TrainingToServing(platform, say)) {
            PlatformClient client = new PlatformClient(platform);
            PlatformClient.Answer created = client.post("ingestion", "/api/v1/tasks", """
                    {"name": "%s", "labels": ["negative", "positive"], "maxTextBytes": %d,
                     "triggerMinNewExamples": 1000000000,
                     "model": {"baseModel": "random", "layers": 1, "hiddenSize": 64, "heads": 2, "ffnSize": 128,
                               "maxSeqLen": 32},
                     "hyperParameters": {"epochs": 2, "learningRate": 0.002, "batchSize": 32}}"""
                    .formatted(TASK, ChaosStream.MAX_TEXT_BYTES));
            if (created.status() != 201) {
                throw new IllegalStateException("task refused: " + created.body());
            }
            // Second instances in the same consumer groups: the partition moves to them when a first one dies.
            platform.startInstance("ingestion", "ingestion-2", Map.of());
            platform.startInstance("preprocessing", "preprocessing-2", Map.of());
            platform.startInstance("deployment", TrainingToServing.DEPLOYMENT.get(1), Map.of());
            say.accept(String.format("chaos: %,d records, %d kills, two instances each of ingestion, preprocessing and "
                    + "deployment", stream.size(), o.kills()));

            HeapWatch heap = new HeapWatch(client, List.of("ingestion", "ingestion-2", "preprocessing",
                    "preprocessing-2"));
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            AtomicInteger progress = new AtomicInteger();
            long start = System.nanoTime();
            java.util.concurrent.atomic.AtomicLong sentAt = new java.util.concurrent.atomic.AtomicLong();
            Thread sender = new Thread(() -> {
                for (ChaosRecord r : stream) {
                    sent.add(send(producer, platform, r));
                    if (progress.incrementAndGet() % 500 == 0) {
                        producer.flush();
                    }
                }
                producer.flush();
                sentAt.set(System.nanoTime());
            }, "chaos-sender");
            sender.start();
            // One partition, taken in order: when the n-th of these is stored, so are the ones before it.
            List<String> storedInOrder = stream.stream().filter(r -> r.fate() == ChaosRecord.Fate.STORED_LABELLED
                    || r.fate() == ChaosRecord.Fate.STORED_UNLABELLED).map(ChaosRecord::id).toList();
            long goodRecords = storedInOrder.size();
            List<Fault> faults = Fault.schedule(o.kills(), o.restarts());
            for (int k = 0; k < faults.size(); k++) {
                // Spread over the processing, not the sending (which is much faster): by examples stored.
                long at = (k + 1) * goodRecords / (faults.size() + 1);
                awaitStored(platform, stores, storedInOrder.get((int) at - 1));
                Fault fault = faults.get(k);
                say.accept(String.format("chaos: %s after %,d examples stored", fault, at));
                switch (fault) {
                    case KILL_INGESTION, KILL_PREPROCESSING -> {
                        String victim = fault == Fault.KILL_INGESTION ? "ingestion" : "preprocessing";
                        platform.kill(victim);
                        platform.restart(victim);
                    }
                    case RESTART_BROKER -> platform.restartBroker();
                    case RESTART_STORE -> platform.restartStore();
                }
            }
            sender.join();
            send(producer, platform, marker).get();

            say.accept("chaos: waiting for the marker to be stored");
            await(platform, Duration.ofMinutes(15), () -> stores.hasExample(TASK, marker.id()));
            heap.close();
            Load load = new Load(stream.size(), Duration.ofNanos(sentAt.get() - start), Duration.ofNanos(System
                    .nanoTime() - start), heap.peaks(), outOfMemory(o.workDir().resolve("logs")));
            // The labels topic has its own order: its marker is a label for no example, dead-lettered last.
            RecordMetadata labelsMarker = send(producer, platform, ChaosStream.labelsMarker(TASK)).get();
            say.accept("chaos: waiting for the labels topic's marker to be dead-lettered");
            try (DeadLetterTopic dead = new DeadLetterTopic(platform)) {
                String labelsMarkerAt = DeadLetterTopic.position(labelsMarker);
                await(platform, Duration.ofMinutes(15), () -> dead.readToEnd().byOrigin().containsKey(labelsMarkerAt));
                Accounting a = account(client, stores, stream, sent, marker, labelsMarkerAt, dead);
                say.accept("chaos: waiting for the snapshots' models to be trained, judged and decided");
                // Training grows with the data: the two models of a 100,000-record run took 14 minutes.
                models.account(a, client, Duration.ofMinutes(15).plusSeconds(o.records() / 50));
                load.into(a);
                return a;
            }
        }
    }

    /** How many of the platform's logs tell of an OutOfMemoryError. */
    static long outOfMemory(Path logs) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(logs)) {
            long n = 0;
            for (Path f : files.toList()) {
                if (new String(java.nio.file.Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(
                        "OutOfMemoryError")) {
                    n++;
                }
            }
            return n;
        }
    }

    private Accounting account(PlatformClient client, PlatformStores stores, List<ChaosRecord> stream,
            List<Future<RecordMetadata>> sent, ChaosRecord marker, String labelsMarkerAt, DeadLetterTopic deadLetters)
            throws Exception {
        Accounting a = new Accounting();
        Map<String, String> examples = stores.examples(TASK);
        Set<String> expectStored = new HashSet<>(Set.of(marker.id()));
        Set<String> expectLabelled = new HashSet<>(Set.of(marker.id()));
        Map<String, String> expectRejected = new HashMap<>();
        long received = stream.size() + 2, duplicates = 0;
        expectRejected.put(labelsMarkerAt, "UNKNOWN_EXAMPLE");
        for (int i = 0; i < stream.size(); i++) {
            ChaosRecord r = stream.get(i);
            RecordMetadata m = sent.get(i).get();
            switch (r.fate()) {
                case STORED_LABELLED -> {
                    expectStored.add(r.id());
                    expectLabelled.add(r.id());
                }
                case STORED_UNLABELLED -> expectStored.add(r.id());
                case DUPLICATE -> duplicates++;
                case REJECTED -> expectRejected.put(DeadLetterTopic.position(m), r.reason().name());
            }
        }
        // Dead letters, read to the end of the topic: the markers were handled after every record before them.
        Map<String, List<String>> dead = deadLetters.readToEnd().byOrigin();
        Set<String> preparationRefused = deadLetters.preparationRefused();

        long storedFound = examples.size();
        long storedRight = examples.keySet().stream().filter(expectStored::contains).count();
        long deadLettered = dead.size();
        a.expect("duplicates: received (raw and labels topics, markers included), less stored, less dead-lettered",
                duplicates, received - storedFound - deadLettered);
        a.expect("examples stored", expectStored.size(), storedFound);
        a.expect("examples stored that the stream says must be", expectStored.size(), storedRight);
        a.expect("stored with their label", expectLabelled.size(), examples.entrySet().stream().filter(e -> !e
                .getValue().isEmpty()).count());
        a.expect("bad records dead-lettered", expectRejected.size(), dead.keySet().stream().filter(
                expectRejected::containsKey).count());
        a.expect("dead letters for records that were not bad", 0, dead.keySet().stream().filter(k -> !expectRejected
                .containsKey(k)).count());
        a.expect("bad records dead-lettered more than once", 0, dead.values().stream().filter(v -> v.size() > 1)
                .count());
        a.expect("dead letters with the expected reason", expectRejected.size(), expectRejected.entrySet().stream()
                .filter(e -> dead.getOrDefault(e.getKey(), List.of()).contains(e.getValue())).count());
        new java.util.TreeSet<>(expectRejected.values()).forEach(reason -> a.expect("  of them " + reason,
                expectRejected.values().stream().filter(reason::equals).count(), expectRejected.entrySet().stream()
                        .filter(e -> e.getValue().equals(reason) && dead.containsKey(e.getKey())).count()));

        // Preprocessing: every stored labelled example prepared once (or refused by its cleaning, with a reason).
        long expectPrepared = expectLabelled.size() - preparationRefused.size();
        say.accept("chaos: waiting for preprocessing to prepare " + expectPrepared + " examples");
        boolean caughtUp = awaitQuietly(Duration.ofMinutes(15), () -> sequence(client) >= expectPrepared);
        a.expect("examples prepared (sequence reached)", expectPrepared, sequence(client));
        // Whichever instance prepares the task, each answers for it and takes a snapshot request for it. The one
        // that does not own it answers with the status the owner publishes, which trails by up to its refresh
        // interval (ten seconds) and a trigger round: a minute is the bound, not a wait.
        awaitQuietly(Duration.ofMinutes(1), () -> answering(client, expectPrepared) == PREPROCESSING.size());
        a.expect("preprocessing instances that answer the sequence reached", PREPROCESSING.size(), answering(client,
                expectPrepared));
        long snapshotsMade = 0;
        for (String instance : PREPROCESSING) {
            int before = version(lastSnapshot(client));
            client.post(instance, "/api/v1/tasks/" + TASK + "/snapshots?by=chaos", "");
            if (caughtUp && awaitQuietly(Duration.ofMinutes(5), () -> version(lastSnapshot(client)) > before
                    && lastSnapshot(client).path("cut").asLong() >= expectPrepared)) {
                snapshotsMade++;
            }
        }
        a.expect("snapshot requests that made a snapshot (one sent to each preprocessing instance)", PREPROCESSING
                .size(), snapshotsMade);
        JsonNode snapshot = lastSnapshot(client);
        List<SnapshotFile.Row> rows = snapshot == null
                ? List.of()
                : SnapshotFile.read(stores.artifact(snapshot.path("artifact").asText()));
        Set<String> inSnapshot = new HashSet<>();
        long twice = rows.stream().filter(r -> !inSnapshot.add(r.id())).count();
        Set<String> wanted = new HashSet<>(expectLabelled);
        wanted.removeAll(preparationRefused);
        a.expect("stored labelled examples in the final snapshot", wanted.size(), wanted.stream().filter(
                inSnapshot::contains).count());
        a.expect("snapshot rows not stored labelled examples", 0, inSnapshot.stream().filter(id -> !wanted.contains(
                id)).count());
        a.expect("snapshot rows twice", 0, twice);
        a.note(String.format("%,d records: %,d stored (%,d labelled), %,d duplicates, %,d bad; %d kills; "
                + "preprocessing refused %,d labelled examples in cleaning, each dead-lettered%s",
                received, expectStored.size(), expectLabelled.size(), duplicates, expectRejected.size(), o.kills(),
                preparationRefused.size(), o.restarts() ? "; the broker and the store restarted once each" : ""));
        return a;
    }

    /** The sequence the task's preparation reached: the highest either instance answers (one may be restarting). */
    private static long sequence(PlatformClient client) {
        return PREPROCESSING.stream().mapToLong(i -> sequence(client, i)).max().orElse(-1);
    }

    private static long answering(PlatformClient client, long sequence) {
        return PREPROCESSING.stream().filter(i -> sequence(client, i) == sequence).count();
    }

    private static long sequence(PlatformClient client, String instance) {
        PlatformClient.Answer a = client.tryGet(instance, "/api/v1/tasks/" + TASK + "/preparation");
        return a.status() == 200 ? a.body().path("sequence").asLong() : -1;
    }

    private static int version(JsonNode snapshot) {
        return snapshot == null ? 0 : snapshot.path("version").asInt();
    }

    private static JsonNode lastSnapshot(PlatformClient client) {
        PlatformClient.Answer a = client.get("preprocessing", "/api/v1/tasks/" + TASK + "/snapshots");
        if (a.status() != 200 || !a.body().isArray() || a.body().isEmpty()) {
            return null;
        }
        JsonNode last = null;
        for (JsonNode s : a.body()) {
            if (last == null || s.path("version").asInt() > last.path("version").asInt()) {
                last = s;
            }
        }
        return last;
    }

    private static Future<RecordMetadata> send(KafkaProducer<String, byte[]> producer, LocalPlatform platform,
            ChaosRecord r) {
        List<Header> headers = r.protobuf()
                ? List.of(new RecordHeader(Events.CONTENT_TYPE_HEADER, Events.CONTENT_TYPE_PROTOBUF.getBytes(
                        StandardCharsets.UTF_8)))
                : List.of();
        return producer.send(new ProducerRecord<>(platform.topic(r.labels() ? Topics.LABELS : Topics.EXAMPLES_RAW),
                null, TASK, r.value(), headers));
    }

    /**
     * Waits until the example {@code id} is stored, however long that takes while the store's count moves: the
     * look-up by id is an index read, where a count is a scan of the collection on FerretDB, and counting several times
     * a second slowed the services down as the collection grew (a 100,000-record run crawled, then stalled). Ten
     * minutes without one more stored is a stall (twice the connector's limit for a record left unacknowledged), and
     * fails the campaign with each service's threads in its log.
     */
    private static void awaitStored(LocalPlatform platform, PlatformStores stores, String id) {
        long last = stores.exampleCount(TASK);
        long lastMove = System.nanoTime();
        long lastCount = lastMove;
        while (!stores.hasExample(TASK, id)) {
            if (System.nanoTime() - lastCount > Duration.ofMinutes(1).toNanos()) {
                long n = stores.exampleCount(TASK);
                lastCount = System.nanoTime();
                if (n != last) {
                    last = n;
                    lastMove = lastCount;
                } else if (lastCount - lastMove > STALL.toNanos()) {
                    platform.dumpThreads();
                    throw new IllegalStateException(String.format("chaos: stalled at %,d examples stored, none for "
                            + "%s; each service's threads are at the end of its log in %s", n, STALL,
                            platform
                                    .options().workDir().resolve("logs")));
                }
            }
            pause();
        }
    }

    /** Waits for {@code done}; if it does not come, each service's threads go to its log before the campaign fails. */
    private static void await(LocalPlatform platform, Duration timeout, BooleanSupplier done) {
        if (!awaitQuietly(timeout, done)) {
            platform.dumpThreads();
            throw new IllegalStateException("chaos: not reached within " + timeout + "; each service's threads are at "
                    + "the end of its log in " + platform.options().workDir().resolve("logs"));
        }
    }

    /** Whether {@code done} came true within {@code timeout}, looking once a second. */
    static boolean awaitQuietly(Duration timeout, BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            pause();
        }
        return done.getAsBoolean();
    }

    /** Between two looks at the stores and services: once a second, so that looking does not load them. */
    private static void pause() {
        ManagedProcess.pause(Duration.ofSeconds(1));
    }
}
