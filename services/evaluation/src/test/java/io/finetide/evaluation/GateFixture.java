package io.finetide.evaluation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.Document;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.platform.tasks.TaskRevisions;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.EvaluationSpec;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.PrometheusText;
import io.finetide.testing.TestKafka;

/**
 * One fruit-or-vehicle task in front of the running evaluation service: its snapshot stored, small models trained and
 * stored for it, a champion announced, candidates sent, their verdicts read back.
 */
final class GateFixture implements AutoCloseable {

    private final FinetideTestResource.Context ctx;
    private final TaskDefinitionEvent task;
    private final List<SnapshotFile.Row> rows;
    private final MongoClient client;
    private final Tokenizer tokenizer;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> verdicts;
    private final ArtifactStore store;
    private final List<ModelEvaluatedEvent> seen = new ArrayList<>();

    private GateFixture(FinetideTestResource.Context ctx, TaskDefinitionEvent task, List<SnapshotFile.Row> rows) {
        this.ctx = ctx;
        this.task = task;
        this.rows = rows;
        this.client = MongoClients.create(ctx.mongoUri());
        this.tokenizer = Tokenizer.builtin("minilm-l6", 16);
        this.producer = TestKafka.producer(ctx.bootstrap());
        this.verdicts = TestKafka.consumerFromStart(ctx.bootstrap(), ctx.topic(Topics.MODELS_EVALUATED));
        this.store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
        store.putOnce(snapshotArtifact(), SnapshotFile.write(rows), new Document());
    }

    /** A task of that name with these gate settings, its snapshot (version 1) holding {@code rows}; published. */
    static GateFixture open(String name, EvaluationSpec evaluation, List<SnapshotFile.Row> rows) throws Exception {
        TaskDefinitionEvent task = TaskRevisions.stamped(TaskDefinitions.validated(TaskDefinitionEvent.newBuilder()
                .setName(name).addAllLabels(TinyClassifiers.LABELS).setEvaluation(evaluation).build()), 1L);
        GateFixture f = new GateFixture(FinetideTestResource.current(), task, rows);
        f.producer.send(new ProducerRecord<>(f.ctx.topic(Topics.TASKS), name, task.toByteArray())).get();
        return f;
    }

    String name() {
        return task.getName();
    }

    /** Trains a model on {@code trainRows} with the labels {@code teach} gives them and stores it as {@code id}. */
    String model(String id, List<SnapshotFile.Row> trainRows, Function<SnapshotFile.Row, String> teach, long seed) {
        return TinyClassifiers.put(store, name(), id, tokenizer, TinyClassifiers.train(tokenizer, trainRows, teach,
                seed));
    }

    String model(String id, Function<SnapshotFile.Row, String> teach, long seed) {
        return model(id, rows, teach, seed);
    }

    /** Makes the stored model {@code id} the task's champion and waits until the service knows it. */
    void champion(String id) throws Exception {
        double known = championsKnown();
        producer.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_PROMOTED), name(), ModelPromotedEvent.newBuilder()
                .setMeta(Events.meta(name())).setModelId(id).setArtifact(artifact(id)).build().toByteArray())).get();
        await().atMost(Duration.ofSeconds(30)).until(() -> championsKnown() == known + 1);
    }

    /** Announces the stored model {@code id} as trained on the snapshot. */
    void trained(ModelTrainedEvent.Builder event) throws Exception {
        ModelTrainedEvent e = event.setMeta(Events.meta(name())).setSnapshotId(name() + "-v1").setSnapshotArtifact(
                snapshotArtifact()).setArtifact(artifact(event.getModelId())).build();
        producer.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_TRAINED), name(), e.toByteArray())).get();
    }

    void trained(String id) throws Exception {
        trained(ModelTrainedEvent.newBuilder().setModelId(id));
    }

    /** The verdict on {@code id}, once it is announced. */
    ModelEvaluatedEvent verdict(String id) {
        await().atMost(Duration.ofMinutes(2)).until(() -> verdicts().stream().anyMatch(v -> v.getModelId().equals(
                id)));
        return seen.stream().filter(v -> v.getModelId().equals(id)).findFirst().orElseThrow();
    }

    /** Every verdict on this task so far. */
    List<ModelEvaluatedEvent> verdicts() throws Exception {
        for (ConsumerRecord<String, byte[]> r : TestKafka.poll(verdicts, Duration.ofMillis(200))) {
            ModelEvaluatedEvent e = ModelEvaluatedEvent.parseFrom(r.value());
            if (e.getMeta().getTask().equals(name())) {
                seen.add(e);
            }
        }
        return seen;
    }

    private String snapshotArtifact() {
        return "datasets/" + name() + "/" + name() + "-v1.jsonl.gz";
    }

    private String artifact(String id) {
        return "models/" + name() + "/" + id + ".zip";
    }

    /** The gauge of tasks whose champion the service knows (other tests add to it too). */
    static double championsKnown() {
        return PrometheusText.sum(given().get("/q/metrics").asString(), "finetide_evaluation_champions_known");
    }

    @Override
    public void close() {
        verdicts.close();
        producer.close();
        tokenizer.close();
        client.close();
    }
}
