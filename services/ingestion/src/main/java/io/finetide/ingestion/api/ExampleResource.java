package io.finetide.ingestion.api;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.ingestion.config.IngestionConfig;
import io.finetide.ingestion.intake.IngestService;
import io.finetide.ingestion.intake.RawExamples;
import io.finetide.ingestion.metrics.IngestionMetrics;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.security.Role;
import io.finetide.platform.store.StoreRetry;
import io.finetide.proto.v1.RawExampleEvent;
import io.finetide.runtime.security.CurrentCaller;
import io.finetide.runtime.security.Requires;
import io.smallrye.common.annotation.Blocking;

/**
 * Examples over HTTP, the same rules as the raw topic. The body is one example object, an array of them, or
 * {@code {"examples": [...]}}. One example: 200 or its rejection's 4xx. A batch: 200 with a result per example, or
 * the first rejection's status when none was accepted.
 */
@Requires(value = Role.PRODUCER, checksTasksItself = true)
@Path("/api/v1/examples")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class ExampleResource {

    public record ItemResult(String id, String status, String reason, String message) {
    }

    /** The reason given for each kind of duplicate. */
    static final java.util.Map<String, String> DUPLICATE_REASONS = java.util.Map.of("id", "SAME_ID", "content",
            "SAME_CONTENT", "near", "NEAR_DUPLICATE");

    /**
     * @param reason when no example was taken, the first refusal's reason (the answer's status), as in every
     *        refusal's body; null otherwise
     */
    public record BatchResult(int accepted, int duplicates, int rejected, List<ItemResult> results, String reason,
            String message) {
    }

    @Inject
    IngestService ingest;

    @Inject
    IngestionMetrics metrics;

    @Inject
    IngestionConfig config;

    @Inject
    ObjectMapper mapper;

    @Inject
    CurrentCaller caller;

    @Operation(summary = "Ingests examples: one or an array, each validated, redacted and de-duplicated")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(required = true, description = "An example or an array of them (JSON; at most the task's maxTextBytes of text each)", content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT), examples = @ExampleObject(name = "example", value = "{\"task\": \"reviews\", \"id\": \"r-1\", \"text\": \"The refund came in two days.\", \"label\": \"positive\", \"metadata\": {\"customer\": \"c-17\"}}")))
    public Response post(byte[] body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (java.io.IOException e) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "malformed JSON: " + e.getMessage());
        }
        if (root == null) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "empty body");
        }
        boolean single = root.isObject() && !root.has("examples");
        JsonNode items = single ? mapper.createArrayNode().add(root) : root.isArray() ? root : root.get("examples");
        if (items == null || !items.isArray()) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "'examples' must be an array");
        }
        if (items.size() > config.maxBatchSize()) {
            throw new RejectedException(ReasonCode.BATCH_TOO_LARGE,
                    items.size() + " examples in one request, the limit is " + config.maxBatchSize());
        }
        List<ItemResult> results = new ArrayList<>();
        List<IngestService.Submission> submissions = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        RejectedException[] decodeErrors = new RejectedException[items.size()];
        for (int i = 0; i < items.size(); i++) {
            metrics.received("rest");
            try {
                RawExampleEvent raw = RawExamples.decode(mapper.writeValueAsBytes(items.get(i)), null);
                caller.requireTask(raw.getTask());
                submissions.add(new IngestService.Submission(raw, "rest"));
                positions.add(i);
            } catch (RejectedException e) {
                decodeErrors[i] = e;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        List<IngestService.Result> outcomes = StoreRetry.call(() -> ingest.ingestAll(submissions));
        IngestService.Result[] byPosition = new IngestService.Result[items.size()];
        for (int k = 0; k < outcomes.size(); k++) {
            byPosition[positions.get(k)] = outcomes.get(k);
        }
        int accepted = 0, duplicates = 0, rejected = 0;
        RejectedException first = null;
        for (int i = 0; i < items.size(); i++) {
            String id = items.get(i).path("id").asText(null);
            RejectedException e = decodeErrors[i] != null ? decodeErrors[i] : byPosition[i].rejection();
            if (e != null) {
                metrics.rejected(e.reason(), "rest");
                rejected++;
                first = first == null ? e : first;
                results.add(new ItemResult(id, "rejected", e.reason().name(), e.getMessage()));
            } else if (byPosition[i].outcome() == IngestService.Outcome.STORED) {
                accepted++;
                results.add(new ItemResult(id, "stored", null, null));
            } else {
                duplicates++;
                IngestService.Result r = byPosition[i];
                results.add(new ItemResult(id, "duplicate", DUPLICATE_REASONS.get(r.duplicateKind()), "duplicates "
                        + "example '" + r.duplicateOf() + "'"));
            }
        }
        if (single && first != null) {
            throw first;
        }
        if (accepted + duplicates == 0 && first != null) {
            return Response.status(first.reason().httpStatus()).entity(new BatchResult(accepted, duplicates,
                    rejected, results, first.reason().name(), "none of the " + items.size() + " examples was taken; "
                            + "each result says why"))
                    .build();
        }
        return Response.ok(new BatchResult(accepted, duplicates, rejected, results, null, null)).build();
    }
}
