package io.finetide.deployment.serving;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.deployment.config.DeploymentConfig;
import io.finetide.deployment.registry.RegistryService;
import io.finetide.deployment.store.ModelRecord;
import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.explain.Explainer;
import io.finetide.platform.store.ArtifactStore;

/**
 * Explains the served champion's answers. An explaining graph differentiates, so it is built apart from the serving
 * one, on the first explanation a champion is asked for, and kept until the task's champion changes. Explanations are
 * for people reading them, not for traffic: one is computed at a time.
 */
@ApplicationScoped
public class Explainers {

    /** An explanation and the model that gave it. */
    public record Explained(String modelId, int version, Explainer.Explanation explanation) {
    }

    private record Loaded(String modelId, int version, Explainer explainer) {
    }

    @Inject
    ServingModels serving;

    @Inject
    RegistryService registry;

    @Inject
    ArtifactStore artifacts;

    @Inject
    DeploymentConfig config;

    private final Map<String, Loaded> loaded = new HashMap<>();

    /**
     * @return empty when the task has no model in service
     * @throws IllegalArgumentException for a request the model cannot answer (unknown label, word out of range, a
     *                                  text-pair model)
     */
    public synchronized Optional<Explained> explain(String task, List<String> words, String label, int word,
            int steps) {
        Optional<String> served = serving.servedModelId(task);
        if (served.isEmpty()) {
            return Optional.empty();
        }
        if (serving.servedKind(task).orElse(null) == ServedModel.Kind.LABELS_PAIRS) {
            // The explainer attributes to the words of one text; a pair's attributions span two segments.
            throw new IllegalArgumentException("task '" + task + "' classifies pairs of texts: explanations are for "
                    + "single texts and tagged words");
        }
        if (serving.servedKind(task).orElse(null) == ServedModel.Kind.WRITES_COMPLETIONS) {
            throw new IllegalArgumentException("task '" + task + "' writes completions: explanations are for "
                    + "classified texts and tagged words");
        }
        Loaded current = loaded.get(task);
        if (current == null || !current.modelId().equals(served.get())) {
            if (current != null) {
                current.explainer().close();
            }
            ModelRecord model = registry.models(task).stream().filter(m -> m.modelId().equals(served.get()))
                    .findFirst().orElseThrow(() -> new IllegalStateException("served model " + served.get()
                            + " is not in the registry"));
            current = new Loaded(model.modelId(), model.version(), Explainer.load(ModelBundle.fromBytes(artifacts
                    .require(model.artifact())), config.threads()));
            loaded.put(task, current);
        }
        return Optional.of(new Explained(current.modelId(), current.version(), current.explainer().explain(words,
                label, word, steps)));
    }

    @PreDestroy
    synchronized void close() {
        loaded.values().forEach(l -> l.explainer().close());
        loaded.clear();
    }
}
