package io.finetide.deployment.openinference;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.deployment.metrics.DeploymentMetrics;
import io.finetide.deployment.registry.RegistryService;
import io.finetide.deployment.rollout.RoutedServing;
import io.finetide.deployment.serving.DynamicBatching;
import io.finetide.deployment.serving.PinnedVersions;
import io.finetide.deployment.serving.PredictionStats;
import io.finetide.deployment.serving.ServedText;
import io.finetide.deployment.serving.ServingModels;
import io.finetide.deployment.store.ModelRecord;

/**
 * What the Open Inference Protocol's model names and versions stand for, whichever transport asks (REST or gRPC): a
 * model is a task, its default version the champion in service (routed through a rollout, batched), a numbered
 * version the registered model of that version.
 */
@ApplicationScoped
public class OpenInferenceModels {

    static final String PLATFORM = "finetide_tensorflow";

    @Inject
    ServingModels serving;

    @Inject
    DynamicBatching batching;

    @Inject
    RoutedServing routed;

    @Inject
    PinnedVersions pinned;

    @Inject
    RegistryService registry;

    @Inject
    PredictionStats predictionStats;

    @Inject
    DeploymentMetrics metrics;

    Optional<ModelRecord> champion(String task) {
        return serving.servedModelId(task).flatMap(id -> registry.models(task).stream().filter(m -> m.modelId()
                .equals(id)).findFirst());
    }

    /** The registered model the protocol names {@code version} ({@link #versionName}), or empty. */
    Optional<ModelRecord> version(String task, String version) {
        return registry.models(task).stream().filter(m -> versionName(task, m.modelId(), m.version()).equals(
                version)).findFirst();
    }

    List<String> versions(String task) {
        return registry.models(task).stream().map(m -> versionName(task, m.modelId(), m.version())).toList();
    }

    /**
     * A registered model's version as the protocol names it: its id after {@code <task>-m}. The snapshot's number
     * alone is not a name: a student distilled on snapshot 3 ({@code <task>-m3-d1}) shares it with the candidate
     * trained on that snapshot ({@code <task>-m3}), and is version {@code 3-d1}. An id of another form keeps its
     * number.
     */
    static String versionName(String task, String modelId, int version) {
        String prefix = task + "-m";
        return modelId.startsWith(prefix) && modelId.length() > prefix.length()
                ? modelId.substring(prefix.length())
                : Integer.toString(version);
    }

    boolean ready() {
        return registry.championsLoaded();
    }

    /** The model's labels: the served champion's, or the registered version's bundle. */
    List<String> labels(String task, ModelRecord model) {
        return servesVersion(task, model)
                ? serving.servedLabels(task).orElseGet(() -> pinned.labels(model))
                : pinned.labels(model);
    }

    /** What a model of each kind is asked through the protocol, for a request of another kind. */
    static String wrongKind(String task, io.finetide.deployment.serving.ServedModel.Kind served) {
        return switch (served) {
            case LABELS_TEXTS -> "model '" + task + "' classifies single texts: POST /v2/models/" + task
                    + "/infer with one input, '" + InferenceRequest.TEXT + "'";
            case LABELS_PAIRS -> "model '" + task + "' classifies pairs of texts: POST /v2/models/" + task
                    + "/infer with two inputs of one shape, '" + InferenceRequest.TEXT + "' and '"
                    + InferenceRequest.TEXT_PAIR + "'";
            case WRITES_COMPLETIONS -> "model '" + task + "' writes completions: POST /v2/models/" + task
                    + "/generate (or /api/v1/tasks/" + task + "/generate)";
            case TAGS_WORDS -> "model '" + task + "' tags words; the Open Inference Protocol serves text classifiers "
                    + "and writers: POST /api/v1/tasks/" + task + "/tag";
        };
    }

    /** The names of a classifier's input tensors: its text, or a pair's two. */
    static List<String> inputs(io.finetide.deployment.serving.ServedModel.Kind kind) {
        return kind == io.finetide.deployment.serving.ServedModel.Kind.LABELS_PAIRS
                ? List.of(InferenceRequest.TEXT, InferenceRequest.TEXT_PAIR)
                : List.of(InferenceRequest.TEXT);
    }

    /** What the model answers: the champion's kind, or the registered version's, loaded if needed. */
    io.finetide.deployment.serving.ServedModel.Kind kind(String task, ModelRecord model) {
        return (servesVersion(task, model)
                ? serving.servedKind(task)
                : Optional.<io.finetide.deployment.serving.ServedModel.Kind>empty())
                .orElseGet(() -> pinned.kind(model));
    }

    /**
     * The champion's answer (a canary's for its share of requests during a rollout), empty when the task has none.
     *
     * @param requestKey keeps a caller with one model during a canary; may be null
     */
    Optional<RoutedServing.Served> infer(String task, List<ServedText> texts, String requestKey) {
        Optional<RoutedServing.Served> served = routed.predict(task, texts, requestKey);
        served.ifPresent(s -> {
            ServingModels.Answer a = s.answer();
            predictionStats.record(task, a.modelId(), a.labels(), a.predictions());
            metrics.predictions(task, a.predictions());
        });
        return served;
    }

    /** The answer of a version asked for by name: the champion's own when it is that model, never a canary's. */
    RoutedServing.Served infer(String task, ModelRecord model, List<ServedText> texts) {
        if (servesVersion(task, model)) {
            Optional<ServingModels.Answer> champion = batching.predict(task, texts);
            if (champion.isPresent()) {
                return RoutedServing.served(champion.get());
            }
        }
        return RoutedServing.served(pinned.predict(model, texts));
    }

    private boolean servesVersion(String task, ModelRecord model) {
        return serving.servedModelId(task).equals(Optional.of(model.modelId()));
    }
}
