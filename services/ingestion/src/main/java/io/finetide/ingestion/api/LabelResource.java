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

import io.finetide.ingestion.intake.RawExamples;
import io.finetide.ingestion.labeling.LabelService;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.security.Caller;
import io.finetide.platform.security.Role;
import io.finetide.platform.store.StoreRetry;
import io.finetide.proto.v1.RawLabelEvent;
import io.finetide.runtime.security.CurrentCaller;
import io.finetide.runtime.security.Requires;
import io.smallrye.common.annotation.Blocking;

/**
 * Labels for examples already ingested: one {@code {"task","id","label"[,"annotator"]}} or an array of them. One
 * label: 200 with its outcome, or its rejection's status (404 UNKNOWN_EXAMPLE, 422 UNKNOWN_LABEL...). An array: 200
 * with a result per label.
 */
@Requires(value = Role.ANNOTATOR, checksTasksItself = true)
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class LabelResource {

    public record LabelResult(String id, String status, String reason, String message) {
    }

    @Inject
    LabelService labels;

    @Inject
    ObjectMapper mapper;

    @Inject
    CurrentCaller caller;

    @Operation(summary = "Labels examples already ingested: one label or an array of them")
    @POST
    @Path("/labels")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(required = true, description = "A label or an array of them; the annotator is the key's holder", content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT), examples = @ExampleObject(name = "example", value = "{\"task\": \"reviews\", \"id\": \"r-1\", \"label\": \"positive\"}")))
    public Response post(byte[] body) throws java.io.IOException {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (java.io.IOException e) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "malformed JSON: " + e.getMessage());
        }
        if (root == null || !(root.isObject() || root.isArray())) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "a label object or an array of them");
        }
        if (root.isObject()) {
            var label = byCaller(RawExamples.decodeLabel(mapper.writeValueAsBytes(root), Events.CONTENT_TYPE_JSON));
            LabelService.Outcome o = StoreRetry.call(() -> labels.apply(label));
            return Response.ok(new LabelResult(label.getId(), o.tag(), null,
                    null)).build();
        }
        List<LabelResult> results = new ArrayList<>();
        for (JsonNode item : root) {
            String id = item.path("id").asText(null);
            try {
                var label = byCaller(RawExamples.decodeLabel(mapper.writeValueAsBytes(item), Events.CONTENT_TYPE_JSON));
                LabelService.Outcome o = StoreRetry.call(() -> labels.apply(label));
                results.add(new LabelResult(id, o.tag(), null, null));
            } catch (RejectedException e) {
                results.add(new LabelResult(id, "rejected", e.reason().name(), e.getMessage()));
            }
        }
        return Response.ok(results).build();
    }

    /**
     * The label as given by the caller: its task must be one the key may use, and its annotator is the key's
     * identity. An admin's key (a labeling tool relaying its users) may name the annotator; another key may name only
     * itself. With no keys configured the annotator is whatever the label says.
     */
    private RawLabelEvent byCaller(RawLabelEvent label) {
        caller.requireTask(label.getTask());
        Caller c = caller.get();
        if (c == Caller.ANYONE || c.has(Role.ADMIN) && !label.getAnnotator().isBlank()) {
            return label;
        }
        if (!label.getAnnotator().isBlank() && !label.getAnnotator().strip().equals(c.identity())) {
            throw new RejectedException(ReasonCode.ANNOTATOR_NOT_CALLER, "the label names annotator '" + label
                    .getAnnotator().strip() + "', the key belongs to '" + c.identity() + "'");
        }
        return label.toBuilder().setAnnotator(c.identity()).build();
    }
}
