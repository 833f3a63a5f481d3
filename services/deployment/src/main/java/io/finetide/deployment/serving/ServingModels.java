package io.finetide.deployment.serving;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.finetide.model.generate.GenerationSettings;
import io.finetide.model.infer.Classifier;
import io.finetide.model.infer.CompletionWriter;
import io.finetide.model.infer.Tagger;

/**
 * The champion of each task, and the candidate in rollout beside it, in memory and ready to answer. Swaps are atomic
 * and never fail a request.
 */
@ApplicationScoped
public class ServingModels {

    public record Answer(String modelId, int version, List<String> labels, List<Classifier.Prediction> predictions) {
    }

    private final Map<String, AtomicReference<ServedModel>> slots = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<ServedModel>> candidates = new ConcurrentHashMap<>();

    /** Puts {@code next} in service for {@code task}; the previous model closes when its last request finishes. */
    public synchronized void swap(String task, ServedModel next) {
        ServedModel previous = slots.computeIfAbsent(task, t -> new AtomicReference<>()).getAndSet(next);
        if (previous != null) {
            previous.release();
        }
    }

    /**
     * Puts {@code next} in service only while {@code expected} serves the task; otherwise closes {@code next}.
     *
     * @return whether it swapped
     */
    public synchronized boolean swapIf(String task, String expected, ServedModel next) {
        if (!servedModelId(task).equals(Optional.of(expected))) {
            next.release();
            return false;
        }
        swap(task, next);
        return true;
    }

    /** Puts {@code candidate} beside the task's champion (the one there before closes when its requests finish). */
    public synchronized void putCandidate(String task, ServedModel candidate) {
        ServedModel previous = candidates.computeIfAbsent(task, t -> new AtomicReference<>()).getAndSet(candidate);
        if (previous != null) {
            previous.release();
        }
    }

    /**
     * Moves the task's candidate {@code modelId} into the champion's place (the champion before closes when its last
     * request finishes); a candidate no longer loaded here is not an error: the registry's promotion loads it.
     *
     * @return whether it moved
     */
    public synchronized boolean promoteCandidate(String task, String modelId) {
        AtomicReference<ServedModel> slot = candidates.get(task);
        if (slot == null || slot.get() == null || !slot.get().modelId().equals(modelId)) {
            return false;
        }
        swap(task, slot.getAndSet(null));
        return true;
    }

    /** Takes the task's candidate out of service, if it is {@code modelId}. */
    public synchronized void dropCandidate(String task, String modelId) {
        AtomicReference<ServedModel> slot = candidates.get(task);
        if (slot != null && slot.get() != null && slot.get().modelId().equals(modelId)) {
            slot.getAndSet(null).release();
        }
    }

    public Optional<String> candidateModelId(String task) {
        AtomicReference<ServedModel> slot = candidates.get(task);
        ServedModel m = slot == null ? null : slot.get();
        return m == null ? Optional.empty() : Optional.of(m.modelId());
    }

    /** Predictions from the task's candidate in rollout, or empty when it has none (any more). */
    public Optional<Answer> predictCandidate(String task, List<ServedText> texts) {
        return use(candidates, task, m -> new Answer(m.modelId(), m.version(), m.labels(), m.predict(texts)));
    }

    public Optional<String> servedModelId(String task) {
        AtomicReference<ServedModel> slot = slots.get(task);
        return slot == null || slot.get() == null ? Optional.empty() : Optional.of(slot.get().modelId());
    }

    /** The task's champion in service: its id and version, read together; or empty. */
    public Optional<InService> inService(String task) {
        AtomicReference<ServedModel> slot = slots.get(task);
        ServedModel m = slot == null ? null : slot.get();
        return m == null ? Optional.empty() : Optional.of(new InService(m.modelId(), m.version()));
    }

    public record InService(String modelId, int version) {
    }

    /** The labels of the task's champion in service (its tags for a tagging task), or empty. */
    public Optional<List<String>> servedLabels(String task) {
        return use(task, ServedModel::labels);
    }

    /** Whether the task's champion tags words, or empty when it has none. */
    /** What the task's champion answers; empty without one. */
    public Optional<ServedModel.Kind> servedKind(String task) {
        return use(task, ServedModel::kind);
    }

    public Optional<Boolean> servesTagger(String task) {
        return use(task, ServedModel::tagging);
    }

    public record Tags(String modelId, int version, List<Tagger.Tagged> results) {
    }

    /**
     * Predictions from the task's champion, or empty when the task has none yet.
     *
     * @throws ServedModel.WrongKindException when the champion tags words
     */
    public Optional<Answer> predict(String task, List<ServedText> texts) {
        return use(task, m -> new Answer(m.modelId(), m.version(), m.labels(), m.predict(texts)));
    }

    /**
     * Tags from the task's champion (a token-classification model), or empty when the task has none yet.
     *
     * @throws ServedModel.WrongKindException when the champion labels texts
     */
    public Optional<Tags> tag(String task, List<List<String>> words) {
        return use(task, m -> new Tags(m.modelId(), m.version(), m.tag(words)));
    }

    public record Writing(String modelId, int version, CompletionWriter.Written written) {
    }

    /**
     * A completion from the task's champion (a generation model), or empty when the task has none yet; {@code pieces}
     * hears its text as it is written.
     *
     * @throws ServedModel.WrongKindException when the champion classifies or tags
     */
    public Optional<Writing> write(String task, String prompt, GenerationSettings settings, List<String> stops,
            java.util.function.Consumer<String> pieces) {
        return use(task, m -> new Writing(m.modelId(), m.version(), m.write(prompt, settings, stops, pieces)));
    }

    private <T> Optional<T> use(String task, java.util.function.Function<ServedModel, T> call) {
        return use(slots, task, call);
    }

    private static <T> Optional<T> use(Map<String, AtomicReference<ServedModel>> from, String task,
            java.util.function.Function<ServedModel, T> call) {
        AtomicReference<ServedModel> slot = from.get(task);
        if (slot == null) {
            return Optional.empty();
        }
        while (true) {
            ServedModel model = slot.get();
            if (model == null) {
                return Optional.empty();
            }
            if (!model.tryAcquire()) {
                continue; // swapped and closed between our read and acquire: read the slot again
            }
            try {
                return Optional.of(call.apply(model));
            } finally {
                model.release();
            }
        }
    }

    @PreDestroy
    void close() {
        java.util.stream.Stream.concat(slots.values().stream(), candidates.values().stream()).forEach(s -> {
            ServedModel m = s.getAndSet(null);
            if (m != null) {
                m.release();
            }
        });
    }
}
