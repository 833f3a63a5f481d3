package io.finetide.deployment.api;

import java.util.Arrays;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.finetide.deployment.serving.Explainers;
import io.finetide.model.explain.Explainer;
import io.finetide.runtime.security.Requires;
import io.smallrye.common.annotation.Blocking;

/**
 * Why the champion answered as it did: per-word attributions by integrated gradients, for a classifier's predicted
 * (or a named) label, or for a tagger's tag of one word.
 */
@Requires
@Path("/api/v1/tasks/{task}/explain")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class ExplainResource {

    /** Integration steps when the request names none: enough to close the completeness gap on fine-tuned models. */
    public static final int DEFAULT_STEPS = 64;
    public static final int MAX_STEPS = 512;

    /**
     * @param text   a classifier's input (split on whitespace into words), or a tagger's when {@code tokens} is absent
     * @param tokens a tagger's words
     * @param label  the label (tag) to explain; the predicted one when absent
     * @param word   a tagger's word to explain (index into the words; default 0)
     * @param steps  integration steps (default 64, at most 512)
     */
    public record ExplainRequest(String text, List<String> tokens, String label, Integer word, Integer steps) {
    }

    /**
     * @param probability the explained label's probability before calibration (what the attributions add up to, from
     *                    the baseline's)
     * @param baseline    the same for the all-padding baseline
     */
    public record ExplainResponse(String task, String modelId, int version, String label, Integer word,
            double probability, double baseline, double completenessGap, int steps,
            List<Explainer.WordAttribution> words) {
    }

    @Inject
    Explainers explainers;

    @Inject
    MeasuredRequests requests;

    @Operation(summary = "Explains a prediction: integrated-gradients attributions per token that add up to the probability")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response explain(@PathParam("task") String task, ExplainRequest request) {
        return requests.measured(task, "explain", 1, () -> answer(task, request));
    }

    private Response answer(String task, ExplainRequest request) {
        if (request == null || (request.tokens() == null || request.tokens().isEmpty()) && (request.text() == null
                || request.text().isBlank())) {
            return MeasuredRequests.error(400, "MISSING_FIELD", "'text' (or a tagger's 'tokens') is needed");
        }
        if (request.tokens() != null && request.tokens().contains(null)) {
            // Found by Schemathesis: a null word reached the tokenizer and answered 500.
            return MeasuredRequests.error(400, "MALFORMED_PAYLOAD", "'tokens' must be an array of strings, without "
                    + "null");
        }
        int steps = request.steps() == null ? DEFAULT_STEPS : request.steps();
        if (steps < 1 || steps > MAX_STEPS) {
            return MeasuredRequests.error(422, "INVALID_STEPS", "'steps' must be in [1, " + MAX_STEPS + "]");
        }
        List<String> words = request.tokens() != null && !request.tokens().isEmpty()
                ? request.tokens()
                : Arrays.stream(request.text().strip().split("\\s+")).toList();
        int word = request.word() == null ? 0 : request.word();
        try {
            return explainers.explain(task, words, request.label(), word, steps).map(e -> Response.ok(
                    new ExplainResponse(task, e.modelId(), e.version(), e.explanation().label(), e.explanation()
                            .word() < 0 ? null : e.explanation().word(), e.explanation().probability(), e
                                    .explanation().baseline(),
                            e.explanation().completenessGap(), e.explanation().steps(), e.explanation().words()))
                    .build()).orElseGet(() -> MeasuredRequests.error(404, "NO_CHAMPION",
                            "task '" + task
                                    + "' has no model in service yet"));
        } catch (IllegalArgumentException e) {
            return MeasuredRequests.error(422, "CANNOT_EXPLAIN", e.getMessage());
        }
    }
}
