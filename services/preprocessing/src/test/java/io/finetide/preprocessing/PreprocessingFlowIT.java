package io.finetide.preprocessing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClients;

import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.errors.DeadLetters;
import io.finetide.platform.events.Events;
import io.finetide.platform.events.Hashing;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.LabelledExampleEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class PreprocessingFlowIT {

    @Test
    void enoughNewTrainingExamplesTriggerAHashedSnapshotAndReplaysChangeNothing() throws Exception {
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        TaskDefinitionEvent task = TaskDefinitions.stamped(TaskDefinitions.validated(TaskDefinitionEvent.newBuilder()
                .setName("pp").addLabels("neg").addLabels("pos").setTriggerMinNewExamples(20).build()), 1L);
        List<LabelledExampleEvent> examples = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            examples.add(LabelledExampleEvent.newBuilder().setMeta(Events.meta("pp")).setId("e" + i)
                    .setText("  Example\u00A0number " + i + " ").setLabel(i % 2 == 0 ? "pos" : "neg").build());
        }
        try (KafkaProducer<String, byte[]> p = TestKafka.producer(ctx.bootstrap())) {
            p.send(new ProducerRecord<>(ctx.topic(Topics.TASKS), "pp", task.toByteArray())).get();
            for (LabelledExampleEvent e : examples) {
                p.send(new ProducerRecord<>(ctx.topic(Topics.EXAMPLES_LABELLED), "pp", e.toByteArray())).get();
            }
            // A replay of the first ten and one example that cleaning empties.
            for (LabelledExampleEvent e : examples.subList(0, 10)) {
                p.send(new ProducerRecord<>(ctx.topic(Topics.EXAMPLES_LABELLED), "pp", e.toByteArray())).get();
            }
            p.send(new ProducerRecord<>(ctx.topic(Topics.EXAMPLES_LABELLED), "pp", examples.get(0).toBuilder()
                    .setId("blank").setText("\u200B\u200B").build().toByteArray())).get();
        }

        List<DatasetSnapshotEvent> snapshots = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> dead = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> sc = TestKafka.consumerFromStart(ctx.bootstrap(),
                ctx.topic(Topics.DATASETS_SNAPSHOTS));
                KafkaConsumer<String, byte[]> dc = TestKafka.consumerFromStart(ctx.bootstrap(),
                        ctx.topic(Topics.DEAD_LETTER))) {
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : TestKafka.poll(sc, Duration.ofMillis(200))) {
                    snapshots.add(DatasetSnapshotEvent.parseFrom(r.value()));
                }
                dead.addAll(TestKafka.poll(dc, Duration.ofMillis(200)));
                return !snapshots.isEmpty() && !dead.isEmpty();
            });
        }
        DatasetSnapshotEvent first = snapshots.get(0);
        assertThat(first.getSnapshotId()).isEqualTo("pp-v1");
        assertThat(first.getVersion()).isEqualTo(1);
        assertThat(first.getNewTrainExamples()).isGreaterThanOrEqualTo(20);
        assertThat(first.getCounts().getTrain()).isGreaterThanOrEqualTo(20);
        assertThat(TestKafka.header(dead.get(0), DeadLetters.REASON)).isEqualTo("EMPTY_AFTER_CLEANING");

        try (var client = MongoClients.create(ctx.mongoUri())) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            byte[] file = store.require(first.getArtifact());
            assertThat(Hashing.sha256Hex(file)).isEqualTo(first.getContentHash());
            List<SnapshotFile.Row> rows = SnapshotFile.read(file);
            assertThat(rows).hasSize((int) (first.getCounts().getTrain() + first.getCounts().getValidation()
                    + first.getCounts().getTest()));
            assertThat(rows.get(0).text()).doesNotStartWith(" ").doesNotContain("\u00A0");
            // Materialising the same rows again gives the same bytes.
            assertThat(Hashing.sha256Hex(SnapshotFile.write(rows))).isEqualTo(first.getContentHash());
        }
        // 60 distinct examples prepared once each, whatever the replays.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(given().get("/q/metrics").asString())
                .containsPattern("finetide_preprocessing_examples_duplicates_total\\S* 10\\.0"));
        String metrics = given().get("/q/metrics").asString();
        double prepared = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("finetide_preprocessing_examples_prepared_total")) {
                prepared += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        assertThat(prepared).isEqualTo(60.0);
        given().get("/api/v1/tasks/pp/snapshots").then().statusCode(200);
    }
}
