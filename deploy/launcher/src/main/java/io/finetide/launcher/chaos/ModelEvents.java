package io.finetide.launcher.chaos;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.KafkaConsumer;

import io.finetide.launcher.LocalPlatform;
import io.finetide.launcher.TopicRecords;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.TrainingProgressEvent;

/**
 * What the model topics hold for one task, read whole: the snapshots announced, the models trained from each, the
 * verdicts on each model, and how many runs resumed from a checkpoint. Replays are kept (an event announced twice is
 * two entries), so that the campaign can tell a second model from a second announcement of one.
 */
record ModelEvents(Set<String> snapshots, Map<String, Set<String>> modelsBySnapshot,
        Map<String, List<Boolean>> verdictsByModel, long resumedRuns) {

    static ModelEvents read(LocalPlatform platform, String task) {
        Set<String> snapshots = new LinkedHashSet<>();
        Map<String, Set<String>> models = new LinkedHashMap<>();
        Map<String, List<Boolean>> verdicts = new LinkedHashMap<>();
        long[] resumed = {0};
        try (KafkaConsumer<byte[], byte[]> c = TopicRecords.consumer(platform.kafkaClient())) {
            TopicRecords.readAll(c, platform.topic(Topics.DATASETS_SNAPSHOTS), r -> {
                DatasetSnapshotEvent e = parse(() -> DatasetSnapshotEvent.parseFrom(r.value()));
                if (e != null && e.getMeta().getTask().equals(task)) {
                    snapshots.add(e.getSnapshotId());
                }
            });
            TopicRecords.readAll(c, platform.topic(Topics.MODELS_TRAINED), r -> {
                ModelTrainedEvent e = parse(() -> ModelTrainedEvent.parseFrom(r.value()));
                if (e != null && e.getMeta().getTask().equals(task)) {
                    models.computeIfAbsent(e.getSnapshotId(), s -> new LinkedHashSet<>()).add(e.getModelId());
                }
            });
            TopicRecords.readAll(c, platform.topic(Topics.MODELS_EVALUATED), r -> {
                ModelEvaluatedEvent e = parse(() -> ModelEvaluatedEvent.parseFrom(r.value()));
                if (e != null && e.getMeta().getTask().equals(task)) {
                    verdicts.computeIfAbsent(e.getModelId(), m -> new ArrayList<>()).add(e.getBlessed());
                }
            });
            TopicRecords.readAll(c, platform.topic(Topics.TRAINING_PROGRESS), r -> {
                TrainingProgressEvent e = parse(() -> TrainingProgressEvent.parseFrom(r.value()));
                if (e != null && e.getMeta().getTask().equals(task) && e.getMessage().startsWith(
                        "resumed from the checkpoint")) {
                    resumed[0]++;
                }
            });
        }
        return new ModelEvents(snapshots, models, verdicts, resumed[0]);
    }

    /** Every model trained, from whichever snapshot. */
    Set<String> models() {
        Set<String> all = new LinkedHashSet<>();
        modelsBySnapshot.values().forEach(all::addAll);
        return all;
    }

    /** Whether every snapshot has its model and every model its verdict: the pipeline has nothing left in hand. */
    boolean settled() {
        return !snapshots.isEmpty() && snapshots.stream().allMatch(modelsBySnapshot::containsKey) && models().stream()
                .allMatch(verdictsByModel::containsKey);
    }

    private interface Parse<T> {
        T parse() throws com.google.protobuf.InvalidProtocolBufferException;
    }

    /** Another event on the topic than this build knows (none is expected): not the campaign's to judge. */
    private static <T> T parse(Parse<T> p) {
        try {
            return p.parse();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return null;
        }
    }
}
