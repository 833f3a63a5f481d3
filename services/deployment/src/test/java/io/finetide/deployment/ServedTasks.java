package io.finetide.deployment;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.Document;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.Metrics;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.testing.FinetideTestResource;

/** Tiny classifiers put in service the way the platform does it: an artifact, then a verdict on the topic. */
final class ServedTasks {

    static final List<String> LABELS = List.of("neg", "pos");

    private ServedTasks() {
    }

    /** A one-layer classifier with random weights from {@code seed}: its answers are known once computed locally. */
    static ModelBundle tinyClassifier(Tokenizer tokenizer, long seed) {
        TransformerConfig cfg = TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize()).maxPositions(16)
                .typeVocabSize(2).hiddenSize(16).layers(1).heads(2).intermediateSize(32).labels(2)
                .pooling(Pooling.MEAN).dropout(0).layerNormEps(1e-12).build();
        return new ModelBundle(cfg, tokenizer.name(), tokenizer.maxLength(), tokenizer.truncation(), LABELS, Weights
                .initialise(cfg, seed), tokenizer.json(), Map.of());
    }

    /** Stores the artifact of {@code task}'s model {@code version}, where {@link #evaluated} says it is. */
    static void store(ArtifactStore store, String task, int version, ModelBundle bundle) {
        store(store, task, task + "-m" + version, bundle);
    }

    static void store(ArtifactStore store, String task, String modelId, ModelBundle bundle) {
        store.putOnce(artifact(task, modelId), bundle.toBytes(), new Document());
    }

    private static String artifact(String task, String modelId) {
        return "models/" + task + "/" + modelId + ".zip";
    }

    static ModelEvaluatedEvent evaluated(String task, int version, boolean blessed, String champion) {
        return evaluated(task, task + "-m" + version, version, blessed, champion);
    }

    /** A model of another id than its version's candidate, as a student ({@code <task>-m<v>-d<n>}). */
    static ModelEvaluatedEvent evaluated(String task, String id, int version, boolean blessed, String champion) {
        ModelTrainedEvent trained = ModelTrainedEvent.newBuilder().setMeta(Events.meta(task)).setModelId(id)
                .setVersion(version).setSnapshotId(task + "-v" + version).setArtifact(artifact(task, id))
                .setParentModelId(champion).build();
        return ModelEvaluatedEvent.newBuilder().setMeta(Events.meta(task)).setModelId(id)
                .setSnapshotId(task + "-v" + version).setTrained(trained).setBlessed(blessed).setChampionModelId(
                        champion)
                .setCandidate(Metrics.newBuilder().setExamples(10).setAccuracy(0.5 + version / 10.0)
                        .setMacroF1(0.5 + version / 10.0))
                .setDecisionReason(blessed ? "better" : "worse").build();
    }

    static void send(KafkaProducer<String, byte[]> p, FinetideTestResource.Context ctx, ModelEvaluatedEvent e)
            throws Exception {
        p.send(new ProducerRecord<>(ctx.topic(Topics.MODELS_EVALUATED), e.getMeta().getTask(), e.toByteArray()))
                .get();
    }
}
