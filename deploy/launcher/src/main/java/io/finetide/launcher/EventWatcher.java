package io.finetide.launcher;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.google.protobuf.InvalidProtocolBufferException;

import io.finetide.platform.errors.DeadLetters;
import io.finetide.platform.topics.Topics;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.DriftEvent;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.TrainingProgressEvent;

/**
 * Follows the platform's topics from the outside, as an operator would: tells what happens as it happens and lets a
 * caller wait for a given event. A wait has no fixed deadline: it gives up only when the platform has announced
 * nothing at all (no example, snapshot, training step, verdict) for the given time, and then says what it saw last.
 */
public final class EventWatcher implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final Consumer<String> say;
    private final Map<String, String> topicByName = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private final Object changed = new Object();

    private final AtomicLong labelled = new AtomicLong();
    private final Map<String, Long> rejectedByReason = new ConcurrentHashMap<>();
    private final List<DatasetSnapshotEvent> snapshots = new ArrayList<>();
    private final List<DriftEvent> drift = new ArrayList<>();
    private final List<ModelTrainedEvent> trained = new ArrayList<>();
    private final List<ModelEvaluatedEvent> evaluated = new ArrayList<>();
    private final List<ModelPromotedEvent> promoted = new ArrayList<>();
    private final List<TrainingProgressEvent> progress = new ArrayList<>();
    private final long reportEvery;
    private volatile long lastActivity = System.nanoTime();
    private volatile String lastSeen = "nothing yet";
    private final Map<String, Long> lastProgressLine = new ConcurrentHashMap<>();

    public EventWatcher(LocalPlatform platform, Consumer<String> say, long reportEvery) {
        this.say = say;
        this.reportEvery = reportEvery;
        Properties p = platform.kafkaClientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "finetide-watcher-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(p);
        for (String t : List.of(Topics.EXAMPLES_LABELLED, Topics.DEAD_LETTER, Topics.DATASETS_SNAPSHOTS,
                Topics.DATASETS_DRIFT, Topics.TRAINING_PROGRESS, Topics.MODELS_TRAINED, Topics.MODELS_EVALUATED,
                Topics.MODELS_PROMOTED)) {
            topicByName.put(platform.topic(t), t);
        }
        consumer.subscribe(List.copyOf(topicByName.keySet()));
        thread = new Thread(this::loop, "event-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running.get()) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                try {
                    handle(topicByName.get(r.topic()), r);
                } catch (InvalidProtocolBufferException e) {
                    say.accept("(unreadable event on " + r.topic() + ")");
                }
            }
        }
        consumer.close();
    }

    private void handle(String topic, ConsumerRecord<String, byte[]> r) throws InvalidProtocolBufferException {
        synchronized (changed) {
            lastActivity = System.nanoTime();
            changed.notifyAll();
        }
        switch (topic) {
            case Topics.EXAMPLES_LABELLED -> {
                long n = labelled.incrementAndGet();
                lastSeen = "ingestion: " + n + " labelled examples published";
                if (reportEvery > 0 && n % reportEvery == 0) {
                    say.accept(String.format("ingested %,d labelled examples so far (%,d rejected)", n, rejected()));
                }
            }
            case Topics.DEAD_LETTER -> {
                String reason = header(r, DeadLetters.REASON);
                rejectedByReason.merge(reason == null ? "UNKNOWN" : reason, 1L, Long::sum);
                say.accept(String.format("rejected by %s: %s (%s)", header(r, DeadLetters.SERVICE), reason,
                        header(r, DeadLetters.MESSAGE)));
            }
            case Topics.DATASETS_SNAPSHOTS -> {
                DatasetSnapshotEvent e = DatasetSnapshotEvent.parseFrom(r.value());
                lastSeen = "preprocessing: snapshot " + e.getSnapshotId() + " published";
                add(snapshots, e);
                say.accept(String.format(
                        "snapshot %s: train %,d / validation %,d / test %,d (%,d new; golden test %,d),"
                                + " sha256 %s, because %s",
                        e.getSnapshotId(), e.getCounts().getTrain(), e.getCounts()
                                .getValidation(),
                        e.getCounts().getTest(), e.getNewTrainExamples(), e.getGoldenTest(),
                        e.getContentHash().substring(0, 12), String.join("; ", e.getTriggerReasonsList())));
            }
            case Topics.DATASETS_DRIFT -> {
                DriftEvent e = DriftEvent.parseFrom(r.value());
                add(drift, e);
                say.accept(String.format("drift of %s against %s over %,d examples: PSI %.3f, JS %.3f%s",
                        e.getFeature(), e.getReference(), e.getExamples(), e.getPsi(), e.getJsDivergence(), e
                                .getExceeded() ? String.format(" > threshold %.2f", e.getThreshold()) : ""));
            }
            case Topics.TRAINING_PROGRESS -> {
                TrainingProgressEvent e = TrainingProgressEvent.parseFrom(r.value());
                add(progress, e);
                lastSeen = String.format("training: %s %s at step %,d of %,d", e.getRunId(), e.getPhase(), e
                        .getStep(), e.getTotalSteps());
                switch (e.getPhase()) {
                    case STEPS -> {
                        // At most a line every 10 s per run: small runs announce every update.
                        long now = System.nanoTime();
                        Long last = lastProgressLine.get(e.getRunId());
                        if (last == null || now - last >= 10_000_000_000L) {
                            lastProgressLine.put(e.getRunId(), now);
                            say.accept(String.format("  epoch %d/%d  step %,d/%,d (%.0f%%)  train loss %.4f  "
                                    + "%.1f examples/s  lr %.2e  about %s left", e.getEpoch(), e.getEpochs(),
                                    e
                                            .getStep(),
                                    e.getTotalSteps(), 100 * e.getFraction(), e.getTrainLoss(), e
                                            .getExamplesPerSecond(),
                                    e.getLearningRate(), e.getEtaSeconds() < 0 ? "?" : duration(e.getEtaSeconds())));
                        }
                    }
                    case STARTED -> say.accept(String.format("training %s on %s: %s, %d epochs, %,d steps",
                            e.getRunId(), e.getSnapshotId(), e.getMessage(), e.getEpochs(), e.getTotalSteps()));
                    case EPOCH_END -> say.accept(String.format(
                            "  epoch %d/%d  step %,d/%,d  train loss %.4f  validation loss %.4f  accuracy %.4f",
                            e.getEpoch(), e.getEpochs(), e.getStep(), e.getTotalSteps(), e.getTrainLoss(),
                            e.getValidationLoss(), e.getValidationAccuracy()));
                    case FINISHED -> say.accept(String.format("trained %s: %s, validation accuracy %.4f",
                            e.getRunId(), e.getMessage(), e.getValidationAccuracy()));
                    case FAILED -> say.accept("training " + e.getRunId() + " FAILED: " + e.getMessage());
                    default -> {
                    }
                }
            }
            case Topics.MODELS_TRAINED -> {
                ModelTrainedEvent e = ModelTrainedEvent.parseFrom(r.value());
                lastSeen = "training: " + e.getModelId() + " trained";
                add(trained, e);
            }
            case Topics.MODELS_EVALUATED -> {
                ModelEvaluatedEvent e = ModelEvaluatedEvent.parseFrom(r.value());
                lastSeen = "evaluation: verdict on " + e.getModelId();
                add(evaluated, e);
                say.accept(String.format("evaluated %s on %,d test examples: accuracy %.4f, macro-F1 %.4f -> %s (%s)",
                        e.getModelId(), e.getCandidate().getExamples(), e.getCandidate().getAccuracy(),
                        e.getCandidate().getMacroF1(), e.getBlessed() ? "BLESSED" : "REJECTED",
                        e.getDecisionReason()));
            }
            case Topics.MODELS_PROMOTED -> {
                ModelPromotedEvent e = ModelPromotedEvent.parseFrom(r.value());
                lastSeen = "deployment: " + e.getModelId() + " promoted";
                add(promoted, e);
                say.accept(String.format("promoted %s (version %d) to champion%s; now serving", e.getModelId(),
                        e.getVersion(), e.getPreviousModelId().isEmpty()
                                ? ""
                                : ", replacing "
                                        + e.getPreviousModelId()));
            }
            default -> {
            }
        }
    }

    private <T> void add(List<T> list, T item) {
        synchronized (changed) {
            list.add(item);
            changed.notifyAll();
        }
    }

    /**
     * The first promotion that matches, or empty once the platform has been silent for {@code stall}.
     */
    public Optional<ModelPromotedEvent> awaitPromotion(Predicate<ModelPromotedEvent> match, Duration stall) {
        return await(promoted, match, stall);
    }

    /** The first verdict that matches, or empty once the platform has been silent for {@code stall}. */
    public Optional<ModelEvaluatedEvent> awaitEvaluation(Predicate<ModelEvaluatedEvent> match, Duration stall) {
        return await(evaluated, match, stall);
    }

    /** What the platform announced last, by stage: where a stalled pipeline stopped. */
    public String lastSeen() {
        return lastSeen;
    }

    /** Waits for the first event in {@code list} that matches, as long as anything at all keeps happening. */
    private <T> Optional<T> await(List<T> list, Predicate<T> match, Duration stall) {
        synchronized (changed) {
            while (true) {
                for (T t : list) {
                    if (match.test(t)) {
                        return Optional.of(t);
                    }
                }
                long left = lastActivity + stall.toNanos() - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                try {
                    changed.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
        }
    }

    public List<ModelEvaluatedEvent> evaluated() {
        synchronized (changed) {
            return List.copyOf(evaluated);
        }
    }

    public List<ModelPromotedEvent> promoted() {
        synchronized (changed) {
            return List.copyOf(promoted);
        }
    }

    public List<DriftEvent> drift() {
        synchronized (changed) {
            return List.copyOf(drift);
        }
    }

    public List<DatasetSnapshotEvent> snapshots() {
        synchronized (changed) {
            return List.copyOf(snapshots);
        }
    }

    public List<ModelTrainedEvent> trained() {
        synchronized (changed) {
            return List.copyOf(trained);
        }
    }

    public long labelled() {
        return labelled.get();
    }

    public long rejected() {
        return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    public Map<String, Long> rejectedByReason() {
        return Map.copyOf(rejectedByReason);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format("%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60
                        ? String.format("%dm%02ds", s / 60, s % 60)
                        : s + "s";
    }

    private static String header(ConsumerRecord<?, ?> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
