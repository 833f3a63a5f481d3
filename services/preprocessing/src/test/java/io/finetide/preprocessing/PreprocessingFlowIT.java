package io.finetide.preprocessing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.google.protobuf.InvalidProtocolBufferException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.errors.DeadLetters;
import io.finetide.platform.events.Events;
import io.finetide.platform.events.Hashing;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.platform.tasks.TaskRevisions;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.DriftEvent;
import io.finetide.proto.v1.ExamplesDeletedEvent;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.ModelSpec;
import io.finetide.proto.v1.PredictionStatsEvent;
import io.finetide.proto.v1.PreprocessingSpec;
import io.finetide.proto.v1.RetentionSpec;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TriggerSpec;
import io.finetide.proto.v1.Truncation;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.PrometheusText;
import io.finetide.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Each test uses tasks of its own on the class's topics; events are told apart by task. */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class PreprocessingFlowIT {

    private static FinetideTestResource.Context ctx;
    private static KafkaProducer<String, byte[]> producer;
    private static MongoClient mongo;

    @BeforeAll
    static void connect() {
        ctx = FinetideTestResource.current();
        producer = TestKafka.producer(ctx.bootstrap());
        mongo = MongoClients.create(ctx.mongoUri());
    }

    @AfterAll
    static void close() {
        producer.close();
        mongo.close();
    }

    private static TaskDefinitionEvent task(TaskDefinitionEvent.Builder b, int revision) throws Exception {
        TaskDefinitionEvent t = TaskRevisions.stamped(TaskDefinitions.validated(b.addLabels("neg").addLabels("pos")
                .build()), 1L).toBuilder().setRevision(revision).build();
        send(Topics.TASKS, t.getName(), t.toByteArray());
        return t;
    }

    @jakarta.inject.Inject
    io.finetide.preprocessing.preparation.Tokenizers tokenizers;

    @Test
    void anUploadedBasesTokenizerComesFromTheArtifactStore() {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        byte[] json;
        try (io.finetide.model.tokenizer.Tokenizer e = io.finetide.model.tokenizer.Tokenizer.builtin("bge-small", 16)) {
            json = e.json();
        }
        try (MongoClient client = MongoClients.create(ctx.mongoUri())) {
            // As the training service stores an upload's tokenizer.
            new ArtifactStore(client.getDatabase(ctx.artifactsDatabase())).putOnce(
                    io.finetide.platform.store.BaseModelArtifacts.tokenizer("my-base"), json, new org.bson.Document());
        }
        TaskDefinitionEvent uploaded = TaskDefinitionEvent.newBuilder().setName("up").setModel(ModelSpec.newBuilder()
                .setBaseModel("user/my-base").setTokenizer("user/my-base").setMaxSeqLen(8)).build();
        TaskDefinitionEvent shipped = uploaded.toBuilder().setModel(uploaded.getModel().toBuilder().setTokenizer(
                "bge-small")).build();
        String text = "an uploaded tokenizer cuts this long sentence as the shipped one does";
        io.finetide.preprocessing.preparation.Tokenizers.Tokens a = tokenizers.tokenize(uploaded, text);
        assertThat(a.ids()).hasSize(8).containsExactly(tokenizers.tokenize(shipped, text).ids());
        assertThat(a.truncated()).isTrue();
    }

    @Test
    void taggedExamplesAreSnapshottedWithTheirWordsAndTags() throws Exception {
        TaskDefinitionEvent t = task(TaskDefinitionEvent.newBuilder().setName("pt").setType(
                io.finetide.proto.v1.TaskType.TOKEN_CLASSIFICATION).addLabels("person").setTriggerMinNewExamples(12)
                .setTriggers(fast()), 1);
        List<LabelledExampleEvent> tagged = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            // Words that cleaning would change (markup, a non-breaking space) stay as they were tagged.
            tagged.add(LabelledExampleEvent.newBuilder().setMeta(Events.meta("pt")).setId("t" + i).setText(
                    "Ann <b>sang</b> " + i).addTokens("Ann").addTokens("<b>sang</b>").addTokens("\u00A0" + i)
                    .addTags("B-person").addTags("O").addTags("O").putMetadata("hospital", i % 2 == 0
                            ? "st-anna"
                            : "city")
                    .build());
        }
        sendAll(tagged);
        // One tag short, and a tag of a type the task does not have.
        sendAll(List.of(LabelledExampleEvent.newBuilder().setMeta(Events.meta("pt")).setId("bad1").setText("Ann sang")
                .addTokens("Ann").addTokens("sang").addTags("B-person").build(),
                LabelledExampleEvent.newBuilder()
                        .setMeta(Events.meta("pt")).setId("bad2").setText("Ann sang").addTokens("Ann").addTokens(
                                "sang")
                        .addTags("B-city").addTags("O").build()));
        DatasetSnapshotEvent first;
        try (Watch<DatasetSnapshotEvent> snaps = snapshots("pt");
                Watch<byte[]> dead = new Watch<>(Topics.DEAD_LETTER, "pt", b -> b)) {
            first = snaps.until(l -> !l.isEmpty()).get(0);
            dead.until(l -> l.size() == 2);
            assertThat(dead.records).extracting(r -> TestKafka.header(r, DeadLetters.REASON)).containsOnly(
                    "TOKEN_TAG_MISMATCH");
        }
        List<SnapshotFile.Row> rows = SnapshotFile.read(new ArtifactStore(mongo.getDatabase(ctx
                .artifactsDatabase())).require(first.getArtifact()));
        assertThat(rows).isNotEmpty().allSatisfy(r -> {
            assertThat(r.tags()).containsExactly("B-person", "O", "O");
            assertThat(r.tokens()).startsWith("Ann", "<b>sang</b>");
            assertThat(r.text()).isEqualTo(String.join(" ", r.tokens()));
            assertThat(r.label()).isEmpty();
            // The producer's metadata travels with the example, for evaluation to slice by.
            int i = Integer.parseInt(r.id().substring(1));
            assertThat(r.metadata()).isEqualTo(java.util.Map.of("hospital", i % 2 == 0 ? "st-anna" : "city"));
        });
    }

    @Test
    void generationExamplesKeepTheirCompletionsAsWrittenAndCleanTheirPrompts() throws Exception {
        try (io.finetide.model.tokenizer.Tokenizer e = io.finetide.model.tokenizer.Tokenizer.builtin("bge-small", 16)) {
            // As the training service stores an upload's tokenizer.
            new ArtifactStore(mongo.getDatabase(ctx.artifactsDatabase())).putOnce(
                    io.finetide.platform.store.BaseModelArtifacts.tokenizer("writer-base"), e.json(),
                    new org.bson.Document());
        }
        ModelSpec base = ModelSpec.newBuilder().setBaseModel("user/writer-base").setTokenizer("user/writer-base")
                .setArchitecture("transformer-decoder").setLayers(2).setHiddenSize(16).setHeads(2).setFfnSize(64)
                .setMaxSeqLen(64).build();
        TaskDefinitionEvent t = TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent.newBuilder()
                .setName("gen").setType(io.finetide.proto.v1.TaskType.TEXT_GENERATION).setModel(ModelSpec.newBuilder()
                        .setBaseModel("user/writer-base").setMaxSeqLen(64))
                .setTriggerMinNewExamples(8).setTriggers(fast()).build(),
                name -> name.equals("user/writer-base")
                        ? base
                        : null),
                1L).toBuilder().setRevision(1).build();
        send(Topics.TASKS, t.getName(), t.toByteArray());
        List<LabelledExampleEvent> written = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            written.add(LabelledExampleEvent.newBuilder().setMeta(Events.meta("gen")).setId("w" + i).setText(
                    " Prompt\u00A0<b>number</b> " + i + " ").setLabel("Completion <i>kept</i>  " + i).build());
        }
        sendAll(written);
        DatasetSnapshotEvent first;
        try (Watch<DatasetSnapshotEvent> snaps = snapshots("gen")) {
            first = snaps.until(l -> !l.isEmpty()).get(0);
        }
        List<SnapshotFile.Row> rows = SnapshotFile.read(new ArtifactStore(mongo.getDatabase(ctx
                .artifactsDatabase())).require(first.getArtifact()));
        assertThat(rows).hasSizeBetween(8, 20).allSatisfy(r -> {
            int i = Integer.parseInt(r.id().substring(1));
            assertThat(r.text()).isEqualTo("Prompt number " + i);
            // What the model is to write stays as it was written, markup and spaces too.
            assertThat(r.completion()).isEqualTo("Completion <i>kept</i>  " + i);
            assertThat(r.label()).isEmpty();
        });
        // Without labels there is one class to count and none to stratify by.
        assertThat(first.getLabelCountsMap().keySet()).allSatisfy(k -> assertThat(k).endsWith("/"));
    }

    private static TriggerSpec.Builder fast() {
        return TriggerSpec.newBuilder().setDebounceMillis(300).setMinIntervalSeconds(1);
    }

    private static LabelledExampleEvent example(String task, String id, String text, String label) {
        return LabelledExampleEvent.newBuilder().setMeta(Events.meta(task)).setId(id).setText(text).setLabel(label)
                .build();
    }

    private static void send(String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(ctx.topic(topic), key, value)).get();
    }

    private static void sendAll(List<LabelledExampleEvent> examples) throws Exception {
        for (LabelledExampleEvent e : examples) {
            producer.send(new ProducerRecord<>(ctx.topic(Topics.EXAMPLES_LABELLED), e.getMeta().getTask(), e
                    .toByteArray()));
        }
        producer.flush();
    }

    private static List<LabelledExampleEvent> wave(String task, String prefix, int n, String only) {
        List<LabelledExampleEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String label = only != null ? only : i % 2 == 0 ? "pos" : "neg";
            out.add(example(task, prefix + i, " Review\u00A0<b>number</b> " + i + " of " + prefix + " ", label));
        }
        return out;
    }

    /** Records of one topic for one task, read from the start. */
    private static final class Watch<T> implements AutoCloseable {
        final KafkaConsumer<String, byte[]> consumer;
        final String task;
        final Parser<T> parser;
        final List<T> seen = new ArrayList<>();
        final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

        interface Parser<T> {
            T parse(byte[] b) throws InvalidProtocolBufferException;
        }

        Watch(String topic, String task, Parser<T> parser) {
            this.consumer = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(topic));
            this.task = task;
            this.parser = parser;
        }

        List<T> until(Predicate<List<T>> done) {
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : TestKafka.poll(consumer, Duration.ofMillis(200))) {
                    if (task.equals(r.key())) {
                        seen.add(parser.parse(r.value()));
                        records.add(r);
                    }
                }
                return done.test(seen);
            });
            return seen;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private static Watch<DatasetSnapshotEvent> snapshots(String task) {
        return new Watch<>(Topics.DATASETS_SNAPSHOTS, task, DatasetSnapshotEvent::parseFrom);
    }

    private static void awaitPrepared(String task, int sequence) {
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/api/v1/tasks/" + task + "/preparation")
                .then().extract().path("sequence"), n -> n != null && ((Number) n).intValue() == sequence);
    }

    private static void requestSnapshot(String task) {
        given().post("/api/v1/tasks/" + task + "/snapshots?by=test").then().statusCode(202).body("pending.manual",
                equalTo("manual: requested by test"));
    }

    @Test
    void aBrokenRecordOnTheTasksTopicIsDeadLetteredWithItsReasonAndCountedAndTheDirectoryReadsOn() throws Exception {
        String deadLetters = "finetide_deadletters_total{";
        String tasksTopic = "topic=\"" + ctx.topic(Topics.TASKS) + "\"";
        double before = counter(deadLetters, tasksTopic);
        // A length-delimited field longer than the record: not a protobuf event.
        send(Topics.TASKS, "broken-definition", new byte[]{0x12, 0x7f, 0x61});
        // A definition behind it is still taken in: its examples are snapshotted.
        task(TaskDefinitionEvent.newBuilder().setName("after-broken").setTriggerMinNewExamples(12).setTriggers(fast()),
                1);
        sendAll(wave("after-broken", "ab", 20, null));
        try (Watch<byte[]> dead = new Watch<>(Topics.DEAD_LETTER, "broken-definition", b -> b);
                Watch<DatasetSnapshotEvent> snaps = snapshots("after-broken")) {
            snaps.until(l -> !l.isEmpty());
            dead.until(l -> !l.isEmpty());
            assertThat(dead.records).singleElement().satisfies(r -> {
                assertThat(TestKafka.header(r, DeadLetters.REASON)).isEqualTo("MALFORMED_PAYLOAD");
                assertThat(r.value()).containsExactly(0x12, 0x7f, 0x61);
            });
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> counter(deadLetters, tasksTopic) == before + 1);
    }

    @Test
    void aDefinitionIngestionWouldRefuseIsDeadLetteredWithItsProblemsAndTheTaskKeepsTheOneItHad() throws Exception {
        TaskDefinitionEvent kept = task(TaskDefinitionEvent.newBuilder().setName("kept").setTriggerMinNewExamples(12)
                .setTriggers(fast()), 1);
        // A bit flipped in a step's name, as the fuzzing campaign sent: still a protobuf event, not a task ingestion
        // would publish.
        TaskDefinitionEvent flipped = kept.toBuilder().setRevision(2).setPreprocessing(kept.getPreprocessing()
                .toBuilder().addCleaning(io.finetide.proto.v1.CleaningStep.newBuilder().setName("earkup"))).build();
        try (Watch<byte[]> dead = new Watch<>(Topics.DEAD_LETTER, "kept", b -> b);
                Watch<DatasetSnapshotEvent> snaps = snapshots("kept")) {
            send(Topics.TASKS, "kept", flipped.toByteArray());
            dead.until(l -> !l.isEmpty());
            assertThat(dead.records).singleElement().satisfies(r -> {
                assertThat(TestKafka.header(r, DeadLetters.REASON)).isEqualTo("INVALID_TASK");
                assertThat(TestKafka.header(r, DeadLetters.MESSAGE)).contains("unknown step 'earkup'");
            });
            // Its examples are prepared and snapshotted under the definition it had.
            sendAll(wave("kept", "k", 20, null));
            snaps.until(l -> !l.isEmpty());
        }
    }

    @Test
    void newExamplesTriggerOneSnapshotWithAManifestThatMaterialisesAgain() throws Exception {
        TaskDefinitionEvent t = task(TaskDefinitionEvent.newBuilder().setName("pp").setTriggerMinNewExamples(20)
                .setTriggers(fast()), 1);
        double duplicatesBefore = counter("finetide_preprocessing_examples_duplicates_total");
        List<LabelledExampleEvent> examples = wave("pp", "e", 60, null);
        sendAll(examples);
        // A replay of the first ten, one example that cleaning empties and one the tokenizer cannot read.
        sendAll(examples.subList(0, 10));
        sendAll(List.of(example("pp", "blank", "<br>\u200B\u200B", "pos"), example("pp", "emoji",
                "\uD83D\uDE00 \uD83D\uDE00", "neg")));

        DatasetSnapshotEvent first;
        try (Watch<DatasetSnapshotEvent> s = snapshots("pp");
                Watch<byte[]> dead = new Watch<>(Topics.DEAD_LETTER,
                        "pp", b -> b)) {
            first = s.until(l -> !l.isEmpty()).get(0);
            dead.until(l -> l.size() == 2);
            assertThat(dead.records).extracting(r -> TestKafka.header(r, DeadLetters.REASON)).containsExactly(
                    "EMPTY_AFTER_CLEANING", "UNTOKENIZABLE");
        }
        assertThat(first.getSnapshotId()).isEqualTo("pp-v1");
        assertThat(first.getNewTrainExamples()).isGreaterThanOrEqualTo(20);
        assertThat(first.getTriggerReasonsList()).singleElement().asString().startsWith("new-examples: ");
        assertThat(first.getCleaningVersion()).startsWith("clean-");
        // The task left its length out: it is cut at the cap, 256, and the snapshot chose 64 for these short texts.
        assertThat(first.getTokenizerVersion()).isEqualTo("minilm-l6/256/head");
        assertThat(first.getSequenceLength()).isEqualTo(io.finetide.proto.v1.SequenceLength.newBuilder()
                .setMaxSeqLen(64).setFromData(true).setCap(256).build());
        long total = first.getCounts().getTrain() + first.getCounts().getValidation() + first.getCounts().getTest();
        assertThat(first.getSourcesList()).allSatisfy(r -> assertThat(r.getTopic()).isEqualTo(ctx.topic(
                Topics.EXAMPLES_LABELLED)));
        assertThat(first.getSourcesList().stream().mapToLong(r -> r.getExamples()).sum()).isEqualTo(total);
        assertThat(first.getLabelCountsMap().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(total);

        ArtifactStore store = new ArtifactStore(mongo.getDatabase(ctx.artifactsDatabase()));
        byte[] file = store.require(first.getArtifact());
        assertThat(Hashing.sha256Hex(file)).isEqualTo(first.getContentHash());
        List<SnapshotFile.Row> rows = SnapshotFile.read(file);
        assertThat(rows).hasSize((int) total);
        assertThat(rows).allSatisfy(r -> assertThat(r.text()).startsWith("Review number ").doesNotContain("<b>"));
        // Built again from the prepared examples, the snapshot has the recorded hash.
        given().get("/api/v1/tasks/pp/snapshots/pp-v1/verify").then().statusCode(200).body("identical", equalTo(true))
                .body("materialisedHash", equalTo(first.getContentHash()));
        given().get("/api/v1/tasks/pp/snapshots/pp-v1").then().statusCode(200).body("cut", equalTo((int) total))
                .body("topNgrams",
                        org.hamcrest.Matchers.hasItems("number:" + first.getCounts().getTrain(),
                                "review number:" + first
                                        .getCounts().getTrain()));
        given().get("/api/v1/tasks/pp/snapshots/pp-v9").then().statusCode(404).body("reason", equalTo(
                "UNKNOWN_SNAPSHOT"));
        given().post("/api/v1/tasks/nope/snapshots").then().statusCode(404).body("reason", equalTo("UNKNOWN_TASK"));
        // 60 distinct examples prepared once each, whatever the replays.
        awaitPrepared("pp", 60);
        assertThat(counter("finetide_preprocessing_examples_duplicates_total") - duplicatesBefore).isEqualTo(10.0);
        assertThat(t.getRevision()).isEqualTo(1);
    }

    @Test
    void aLengthLeftOutIsChosenByTheFirstSnapshotAndKeptByTheNext() throws Exception {
        task(TaskDefinitionEvent.newBuilder().setName("pl").setTriggerMinNewExamples(1000).setTriggers(fast()), 1);
        // [CLS], 100 words and a number, [SEP]: 103 tokens, past 64 and within 128.
        List<LabelledExampleEvent> medium = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            medium.add(example("pl", "m" + i, "long ".repeat(100) + i, i % 2 == 0 ? "pos" : "neg"));
        }
        DatasetSnapshotEvent first = snapshotOf("pl", medium, 20, 1);
        assertThat(first.getSequenceLength().getMaxSeqLen()).isEqualTo(128);
        assertThat(first.getSequenceLength().getFromData()).isTrue();
        assertThat(first.getSequenceLength().getTruncatedShare()).isZero();
        given().get("/api/v1/tasks/pl/snapshots/pl-v1").then().statusCode(200).body("sequenceLength.maxSeqLen",
                equalTo(128)).body("sequenceLength.fromData", equalTo(true));

        // 203 tokens each: the next snapshot keeps 128 and says how many of its examples that cuts.
        List<LabelledExampleEvent> longer = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            longer.add(example("pl", "l" + i, "long ".repeat(200) + i, i % 2 == 0 ? "pos" : "neg"));
        }
        DatasetSnapshotEvent second = snapshotOf("pl", longer, 40, 2);
        long held = second.getCounts().getTrain() + second.getCounts().getValidation() + second.getCounts().getTest();
        assertThat(second.getSequenceLength().getMaxSeqLen()).isEqualTo(128);
        assertThat(second.getSequenceLength().getFromData()).isTrue();
        assertThat(second.getSequenceLength().getTruncatedShare()).isEqualTo(20.0 / held);
    }

    /** Sends the examples, waits until the task's sequence reaches {@code prepared}, and asks for snapshot n. */
    private static DatasetSnapshotEvent snapshotOf(String task, List<LabelledExampleEvent> examples, int prepared,
            int n) throws Exception {
        sendAll(examples);
        awaitPrepared(task, prepared);
        try (Watch<DatasetSnapshotEvent> s = snapshots(task)) {
            requestSnapshot(task);
            return s.until(l -> l.size() == n).get(n - 1);
        }
    }

    @Test
    void burstsCoalesceAndManualRequestsDeletionsAndTaskChangesShapeLaterSnapshots() throws Exception {
        task(TaskDefinitionEvent.newBuilder().setName("pq").setTriggerMinNewExamples(1000).setTriggers(fast()
                .setDebounceMillis(1000)).setPreprocessing(PreprocessingSpec.newBuilder().setGoldenTestSize(2))
                .setRetention(RetentionSpec.newBuilder().setKeep(1)), 1);
        sendAll(wave("pq", "a", 80, null));
        awaitPrepared("pq", 80);
        try (Watch<DatasetSnapshotEvent> s = snapshots("pq")) {
            // Two requests within one debounce window make one snapshot.
            requestSnapshot("pq");
            requestSnapshot("pq");
            DatasetSnapshotEvent v1 = s.until(l -> !l.isEmpty()).get(0);
            assertThat(v1.getGoldenTest()).isEqualTo(2);
            assertThat(total(v1)).isEqualTo(80);
            requestSnapshot("pq");
            DatasetSnapshotEvent v2 = s.until(l -> l.size() >= 2).get(1);
            assertThat(v2.getSnapshotId()).isEqualTo("pq-v2");
            assertThat(v2.getTriggerReasonsList()).containsExactly("manual: requested by test");
            assertThat(v2.getContentHash()).isEqualTo(v1.getContentHash());

            // A subject's examples are removed; later snapshots exclude them, earlier ones no longer rebuild.
            double deletedBefore = counter("finetide_preprocessing_examples_deleted_total");
            double repreparedBefore = counter("finetide_preprocessing_examples_reprepared_total");
            ExamplesDeletedEvent deletion = ExamplesDeletedEvent.newBuilder().setMeta(Events.meta("pq")).addIds("a1")
                    .addIds("a2").addIds("a3").setReason("subject's request").build();
            send(Topics.EXAMPLES_DELETED, "pq", deletion.toByteArray());
            send(Topics.EXAMPLES_DELETED, "pq", deletion.toByteArray());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> counter("finetide_preprocessing_examples_deleted_total") - deletedBefore == 3.0);
            sendAll(wave("pq", "a", 3, null).subList(1, 3));
            requestSnapshot("pq");
            DatasetSnapshotEvent v3 = s.until(l -> l.size() >= 3).get(2);
            assertThat(total(v3)).isEqualTo(total(v1) - 3);
            given().get("/api/v1/tasks/pq/snapshots/pq-v3/verify").then().body("identical", equalTo(true));
            // The list is newest first, a page at a time.
            given().queryParam("limit", 2).get("/api/v1/tasks/pq/snapshots").then().statusCode(200).body("id",
                    contains("pq-v3", "pq-v2"));
            given().queryParam("limit", 0).get("/api/v1/tasks/pq/snapshots").then().statusCode(400).body("reason",
                    equalTo("MALFORMED_PAYLOAD"));

            // Retention keeps the newest file and one more: v1's file is gone, its manifest and content are not.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/tasks/pq/snapshots/pq-v1")
                    .then().body("retired", equalTo(true)));
            assertThat(new ArtifactStore(mongo.getDatabase(ctx.artifactsDatabase())).find(v1.getArtifact())).isEmpty();
            given().get("/api/v1/tasks/pq/snapshots/pq-v1/verify").then().body("identical", equalTo(false)).body(
                    "deletedSinceCreation", equalTo(3)).body("fileStored", equalTo(false));

            // A new tokenisation (shorter, keep the end) prepares every example again.
            task(TaskDefinitionEvent.newBuilder().setName("pq").setTriggerMinNewExamples(1000).setTriggers(fast()
                    .setDebounceMillis(1000)).setPreprocessing(PreprocessingSpec.newBuilder().setGoldenTestSize(2)
                            .setTruncation(Truncation.TAIL))
                    .setModel(ModelSpec.newBuilder().setMaxSeqLen(8))
                    .setRetention(RetentionSpec.newBuilder().setKeep(1)), 2);
            await().atMost(Duration.ofSeconds(60)).until(() -> counter(
                    "finetide_preprocessing_examples_reprepared_total") - repreparedBefore == total(v3));
            requestSnapshot("pq");
            DatasetSnapshotEvent v4 = s.until(l -> l.size() >= 4).get(3);
            assertThat(v4.getTokenizerVersion()).isEqualTo("minilm-l6/8/tail");
            assertThat(v4.getGoldenTest()).isEqualTo(2);
            assertThat(total(v4)).isEqualTo(total(v3));
        }
    }

    @Test
    void driftInTheDataAndInLivePredictionsIsMeasuredReportedAndTriggers() throws Exception {
        task(TaskDefinitionEvent.newBuilder().setName("pd").setTriggerMinNewExamples(1000).setTriggers(fast()
                .setDriftPsi(0.2).setDriftMinExamples(40)).setPreprocessing(PreprocessingSpec.newBuilder()
                        .setStratify(true)),
                1);
        sendAll(wave("pd", "b", 100, null));
        awaitPrepared("pd", 100);
        try (Watch<DatasetSnapshotEvent> s = snapshots("pd");
                Watch<DriftEvent> drift = new Watch<>(
                        Topics.DATASETS_DRIFT, "pd", DriftEvent::parseFrom)) {
            requestSnapshot("pd");
            DatasetSnapshotEvent v1 = s.until(l -> !l.isEmpty()).get(0);
            // Stratified: each label follows 0.8/0.1/0.1 within one example.
            assertThat(v1.getLabelCountsMap()).containsEntry("TRAIN/pos", 40L).containsEntry("VALIDATION/pos", 5L)
                    .containsEntry("TEST/neg", 5L);
            // Then only negative reviews arrive: label drift against the snapshot's training data.
            sendAll(wave("pd", "c", 40, "neg"));
            DatasetSnapshotEvent v2 = s.until(l -> l.size() >= 2).get(1);
            assertThat(v2.getTriggerReasonsList()).singleElement().asString().startsWith("drift: label PSI ");
            DriftEvent label = drift.until(l -> l.stream().anyMatch(d -> d.getFeature().equals("label"))).stream()
                    .filter(d -> d.getFeature().equals("label")).findFirst().orElseThrow();
            // Reference 40/40, window 40 negative: (1-0.5) ln(1/0.5) + (0-0.5) ln(0/0.5) with 0 floored at 1e-4.
            assertThat(label.getPsi()).isGreaterThan(4.0);
            assertThat(label.getJsDivergence()).isCloseTo(0.311278, org.assertj.core.api.Assertions.within(1e-5));
            assertThat(label.getReference()).isEqualTo("champion-data:pd-v1");
            assertThat(label.getExceeded()).isTrue();

            // Live: a baseline of confident mixed predictions, then unsure negative ones.
            send(Topics.PREDICTIONS_STATS, "pd", stats("m1", 100, 100, 9).toByteArray());
            send(Topics.PREDICTIONS_STATS, "pd", stats("m1", 0, 100, 5).toByteArray());
            List<DriftEvent> live = drift.until(l -> l.stream().filter(d -> d.getReference().equals("live:m1"))
                    .count() == 2).stream().filter(d -> d.getReference().equals("live:m1")).toList();
            assertThat(live).extracting(DriftEvent::getFeature).containsExactly("predicted-label", "confidence");
            assertThat(live).allSatisfy(d -> assertThat(d.getExceeded()).isTrue());
            assertThat(live.get(0).getExamples()).isEqualTo(100);
        }
        given().get("/api/v1/tasks/pd/drift").then().statusCode(200).body("'live/confidence'.exceeded", equalTo(true))
                .body("'data/label'.reference", equalTo("champion-data:pd-v1"));
        assertThat(PrometheusText.has(given().get("/q/metrics").asString(), "finetide_preprocessing_drift_psi",
                "feature", "predicted-label", "reference", "live", "task", "pd")).isTrue();
    }

    @Test
    void aScheduleMakesSnapshotsOfFewNewExamples() throws Exception {
        task(TaskDefinitionEvent.newBuilder().setName("ps").setTriggerMinNewExamples(1000).setTriggers(fast()
                .setScheduleSeconds(1)), 1);
        sendAll(wave("ps", "d", 5, null));
        try (Watch<DatasetSnapshotEvent> s = snapshots("ps")) {
            // The schedule fires as soon as there is something new; the last of the five may come a round later.
            List<DatasetSnapshotEvent> all = s.until(l -> !l.isEmpty() && total(l.get(l.size() - 1)) == 5);
            assertThat(all).allSatisfy(e -> assertThat(e.getTriggerReasonsList()).singleElement().asString()
                    .startsWith("schedule: every 1 s"));
        }
    }

    private static PredictionStatsEvent stats(String model, long pos, long neg, int confidenceBin) {
        PredictionStatsEvent.Builder b = PredictionStatsEvent.newBuilder().setMeta(Events.meta("pd")).setModelId(model)
                .putPredictedCounts("pos", pos).putPredictedCounts("neg", neg);
        for (int i = 0; i < 10; i++) {
            b.addConfidenceHistogram(i == confidenceBin ? pos + neg : 0);
        }
        return b.build();
    }

    private static long total(DatasetSnapshotEvent e) {
        return e.getCounts().getTrain() + e.getCounts().getValidation() + e.getCounts().getTest();
    }

    private static double counter(String name) {
        return counter(name, "");
    }

    /** The sum of the metric's series whose line contains {@code containing} (a tag and its value). */
    private static double counter(String name, String containing) {
        double sum = 0;
        for (String line : given().get("/q/metrics").asString().split("\n")) {
            if (line.startsWith(name) && line.contains(containing)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
