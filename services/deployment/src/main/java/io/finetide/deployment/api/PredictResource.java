package io.finetide.deployment.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.finetide.deployment.config.DeploymentConfig;
import io.finetide.deployment.metrics.DeploymentMetrics;
import io.finetide.deployment.registry.RegistryService;
import io.finetide.deployment.rollout.CanaryRouting;
import io.finetide.deployment.rollout.RoutedServing;
import io.finetide.deployment.serving.DynamicBatching;
import io.finetide.deployment.serving.PredictionStats;
import io.finetide.deployment.serving.QueueFullException;
import io.finetide.deployment.serving.SavedModelExport;
import io.finetide.deployment.serving.ServedModel;
import io.finetide.deployment.serving.ServedText;
import io.finetide.deployment.serving.ServingModels;
import io.finetide.deployment.store.ModelRecord;
import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.infer.Classifier;
import io.finetide.runtime.security.Requires;
import io.smallrye.common.annotation.Blocking;

@Requires
@Path("/api/v1/tasks/{task}")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class PredictResource {

    /** @param textPairs a text-pair task's second texts, one per text; absent for every other task */
    public record PredictRequest(List<String> texts, List<String> textPairs) {
    }

    /** One answer; {@code predictionId} names it in feedback ({@code POST .../feedback}). */
    public record Prediction(String label, double confidence, Map<String, Double> probabilities,
            String predictionId) {
    }

    public record PredictResponse(String task, String modelId, int version, List<Prediction> predictions) {
    }

    /** Words to tag: {@code tokens} (pre-split), or {@code texts} split on whitespace. */
    public record TagRequest(List<String> texts, List<List<String>> tokens) {
    }

    /** A tagged span: its type, [start, end) in words, and its words joined by spaces. */
    public record Entity(String type, int start, int end, String text) {
    }

    public record TagResult(List<String> tokens, List<String> tags, List<Double> confidences,
            List<Entity> entities) {
    }

    public record TagResponse(String task, String modelId, int version, List<TagResult> results) {
    }

    public record ModelView(String modelId, int version, String stage, boolean champion, String snapshotId,
            String parentModelId, String hyperParameters, double validationAccuracy, Double testAccuracy,
            Double testMacroF1, long trainExamples, long trainingMillis, String decisionReason, long createdAtMs,
            Long promotedAtMs, Long retiredAtMs, Long parameters, Long bundleBytes, Double latencyMsP50) {
    }

    @Inject
    ServingModels serving;

    @Inject
    DynamicBatching batching;

    @Inject
    RoutedServing routed;

    @Inject
    RegistryService registry;

    @Inject
    DeploymentMetrics metrics;

    @Inject
    DeploymentConfig config;

    @Inject
    PredictionStats predictionStats;

    @Inject
    SavedModelExport export;

    @Inject
    MeasuredRequests requests;

    @Operation(summary = "Classifies texts (a text-pair task's pairs: texts with textPairs) with the task's champion (or its canary): a label, a confidence and a prediction id per text")
    @POST
    @Path("/predict")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response predict(@PathParam("task") String task, @HeaderParam(CanaryRouting.HEADER) String requestKey,
            PredictRequest request) {
        int texts = request == null || request.texts() == null ? 0 : request.texts().size();
        return measured(task, "predict", texts, () -> answerPredict(task, request, requestKey));
    }

    /**
     * A text-pair task's request needs one non-blank second text per text, and only such a task's takes them; null
     * when the request fits the task's champion (or the task has none yet: then the answer is 404).
     */
    private Response pairProblem(String task, PredictRequest request) {
        List<String> pairs = request.textPairs();
        if (pairs != null && (pairs.size() != request.texts().size() || pairs.stream().anyMatch(p -> p == null || p
                .isBlank()))) {
            return error(400, "MALFORMED_PAYLOAD", "'textPairs' must hold one non-blank second text per text ("
                    + request.texts().size() + ")");
        }
        java.util.Optional<ServedModel.Kind> kind = serving.servedKind(task);
        if (kind.isPresent() && kind.get() == ServedModel.Kind.LABELS_PAIRS && pairs == null) {
            return error(400, "MISSING_FIELD", "task '" + task + "' classifies pairs of texts: give 'textPairs', "
                    + "one second text per text");
        }
        if (kind.isPresent() && kind.get() == ServedModel.Kind.LABELS_TEXTS && pairs != null) {
            return error(400, "MALFORMED_PAYLOAD", "task '" + task + "' classifies single texts: 'textPairs' is for "
                    + "text-pair tasks");
        }
        return null;
    }

    private Response answerPredict(String task, PredictRequest request, String requestKey) {
        if (request == null || request.texts() == null || request.texts().isEmpty()) {
            return error(400, "MISSING_FIELD", "'texts' must be a non-empty array of strings");
        }
        if (request.texts().size() > config.maxTextsPerRequest()) {
            return error(413, "BATCH_TOO_LARGE", request.texts().size() + " texts, the limit is "
                    + config.maxTextsPerRequest());
        }
        if (request.texts().stream().anyMatch(t -> t == null)) {
            return error(400, "MALFORMED_PAYLOAD", "'texts' must not contain null");
        }
        Response refused = pairProblem(task, request);
        if (refused != null) {
            return refused;
        }
        java.util.Optional<RoutedServing.Served> served;
        try {
            served = routed.predict(task, request.textPairs() == null
                    ? ServedText.singles(request.texts())
                    : ServedText.pairs(request.texts(), request.textPairs()), requestKey);
        } catch (QueueFullException e) {
            return queueFull(e);
        } catch (ServedModel.WrongKindException e) {
            return switch (e.served()) {
                case TAGS_WORDS -> error(409, "WRONG_ENDPOINT", "task '" + task + "' is a token-classification task: "
                        + "POST /api/v1/tasks/" + task + "/tag");
                case WRITES_COMPLETIONS -> error(409, "WRONG_ENDPOINT", "task '" + task + "' is a text-generation "
                        + "task: POST /api/v1/tasks/" + task + "/generate");
                default -> error(400, "MALFORMED_PAYLOAD", "task '" + task + "': " + e.getMessage()
                        + " ('textPairs')");
            };
        }
        return served.map(routedAnswer -> {
            ServingModels.Answer answer = routedAnswer.answer();
            List<Prediction> out = new ArrayList<>();
            predictionStats.record(task, answer.modelId(), answer.labels(), answer.predictions());
            metrics.predictions(task, answer.predictions());
            for (int n = 0; n < answer.predictions().size(); n++) {
                Classifier.Prediction p = answer.predictions().get(n);
                Map<String, Double> probabilities = new LinkedHashMap<>();
                for (int i = 0; i < answer.labels().size(); i++) {
                    probabilities.put(answer.labels().get(i), (double) p.probabilities()[i]);
                }
                out.add(new Prediction(p.label(), p.confidence(), probabilities, routedAnswer.predictionIds().get(n)
                        .encoded()));
            }
            return Response.ok(new PredictResponse(task, answer.modelId(), answer.version(), out)).build();
        }).orElseGet(() -> error(404, "NO_CHAMPION", "task '" + task + "' has no model in service yet"));
    }

    /** Tags the words of each text with the task's champion (a token-classification model) and lists the entities. */
    @Operation(summary = "Tags the words of each text with the task's token-classification champion and lists its entities")
    @POST
    @Path("/tag")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response tag(@PathParam("task") String task, TagRequest request) {
        int texts = request == null
                ? 0
                : request.tokens() != null && !request.tokens().isEmpty()
                        ? request.tokens().size()
                        : request.texts() == null ? 0 : request.texts().size();
        return measured(task, "tag", texts, () -> answerTag(task, request));
    }

    private Response answerTag(String task, TagRequest request) {
        List<List<String>> words = new ArrayList<>();
        if (request != null && request.tokens() != null && !request.tokens().isEmpty()) {
            if (request.tokens().stream().anyMatch(t -> t == null || t.isEmpty() || t.contains(null))) {
                return error(400, "MALFORMED_PAYLOAD", "'tokens' must be non-empty arrays of strings");
            }
            words.addAll(request.tokens());
        } else if (request != null && request.texts() != null && !request.texts().isEmpty()) {
            for (String text : request.texts()) {
                if (text == null || text.isBlank()) {
                    return error(400, "MALFORMED_PAYLOAD", "'texts' must not contain null or blank texts");
                }
                words.add(List.of(text.trim().split("\\s+")));
            }
        } else {
            return error(400, "MISSING_FIELD", "give 'tokens' (arrays of words) or 'texts'");
        }
        if (words.size() > config.maxTextsPerRequest()) {
            return error(413, "BATCH_TOO_LARGE", words.size() + " texts, the limit is " + config
                    .maxTextsPerRequest());
        }
        java.util.Optional<ServingModels.Tags> served;
        try {
            served = batching.tag(task, words);
        } catch (QueueFullException e) {
            return queueFull(e);
        } catch (ServedModel.WrongKindException e) {
            return error(409, "WRONG_ENDPOINT", e.served() == ServedModel.Kind.WRITES_COMPLETIONS
                    ? "task '" + task + "' is a text-generation task: POST /api/v1/tasks/" + task + "/generate"
                    : "task '" + task + "' labels texts: POST /api/v1/tasks/" + task + "/predict");
        }
        return served.map(tags -> {
            List<TagResult> out = new ArrayList<>();
            for (io.finetide.model.infer.Tagger.Tagged t : tags.results()) {
                List<Double> confidences = new ArrayList<>();
                for (float c : t.confidences()) {
                    confidences.add((double) c);
                }
                out.add(new TagResult(t.words(), t.tags(), confidences, t.entities().stream().map(e -> new Entity(e
                        .type(), e.start(), e.end(), String.join(" ", t.words().subList(e.start(), e.end()))))
                        .toList()));
            }
            return Response.ok(new TagResponse(task, tags.modelId(), tags.version(), out)).build();
        }).orElseGet(() -> error(404, "NO_CHAMPION", "task '" + task + "' has no model in service yet"));
    }

    @Operation(summary = "Every registered model of the task, with its role (champion, candidate, retired)")
    @GET
    @Path("/models")
    public List<ModelView> models(@PathParam("task") String task) {
        String served = serving.servedModelId(task).orElse("");
        return registry.models(task).stream().map(m -> new ModelView(m.modelId(), m.version(), m.stage(),
                m.modelId().equals(served) && m.stage().equals(ModelRecord.CHAMPION), m.snapshotId(),
                m.parentModelId(), m.hyperParameters(), m.validationAccuracy(), m.testAccuracy(), m.testMacroF1(),
                m.trainExamples(), m.trainingMillis(), m.decisionReason(), m.createdAtMs(), m.promotedAtMs(),
                m.retiredAtMs(), m.parameters(), m.bundleBytes(), m.latencyMsP50())).toList();
    }

    /**
     * The model as a TensorFlow SavedModel with its tokenizer and labels (a zip), for serving outside Finetide; any
     * registered model, not only the champion.
     */
    @Operation(summary = "Downloads a registered model as a TensorFlow SavedModel zip with its tokenizer and labels")
    @GET
    @Path("/models/{modelId}/savedmodel")
    @Produces({"application/zip", MediaType.APPLICATION_JSON})
    public Response savedModel(@PathParam("task") String task, @PathParam("modelId") String modelId) {
        Optional<ModelRecord> model = export.find(task, modelId);
        if (model.isEmpty()) {
            return error(404, "NOT_FOUND", "task '" + task + "' has no model '" + modelId + "'");
        }
        ModelBundle bundle = export.bundle(model.get());
        Optional<String> refused = SavedModelExport.unexportable(bundle);
        if (refused.isPresent()) {
            return error(409, "NOT_EXPORTABLE", "model '" + modelId + "' has no SavedModel export: " + refused.get());
        }
        return Response.ok((StreamingOutput) out -> export.write(model.get(), bundle, out), "application/zip").header(
                "Content-Disposition", "attachment; filename=\"" + modelId + "-savedmodel.zip\"").build();
    }

    private Response measured(String task, String endpoint, int texts, java.util.function.Supplier<Response> answer) {
        return requests.measured(task, endpoint, texts, answer);
    }

    static Response queueFull(QueueFullException e) {
        return Response.fromResponse(error(429, "QUEUE_FULL", e.getMessage())).header("Retry-After", "1").build();
    }

    private static Response error(int status, String reason, String message) {
        return MeasuredRequests.error(status, reason, message);
    }
}
