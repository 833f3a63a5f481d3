package io.finetide.training.api;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.security.Role;
import io.finetide.runtime.api.ErrorBody;
import io.finetide.runtime.security.CurrentCaller;
import io.finetide.runtime.security.Requires;
import io.finetide.training.distillation.DistillationRequest;
import io.finetide.training.distillation.DistillationService;
import io.finetide.training.distillation.DistillationView;
import io.smallrye.common.annotation.Blocking;

/**
 * Distillations of a task's model into smaller students (docs/MODELS.md, "Distillation"): ask for one, follow it. The
 * student is a candidate like any other; the gate judges it. Refusals answer {@code {"reason", "message"}}.
 */
@Requires
@Path("/api/v1/tasks/{task}/distillations")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class DistillationResource {

    private static final ObjectMapper JSON = new ObjectMapper().enable(
            DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    @Inject
    DistillationService distillations;

    @Inject
    CurrentCaller caller;

    @Operation(summary = "Asks for a student of fewer layers distilled from the task's champion (or a named teacher) "
            + "on its latest snapshot; 202 with the request, whose student then goes to the gate")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Role.ADMIN)
    @RequestBody(required = true, description = "Every field may be left out: studentLayers (half the teacher's), "
            + "temperature (2, in [1, 20]), hardWeight (0.5, in [0, 1]), teacher (the champion's id)", content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT), examples = @ExampleObject(name = "example", value = "{\"studentLayers\": 3, \"temperature\": 2.0, \"hardWeight\": 0.5}")))
    public Response create(@PathParam("task") String task, String body) {
        DistillationRequest asked;
        try {
            asked = JSON.readValue(body == null || body.isBlank() ? "{}" : body, DistillationRequest.class);
        } catch (JsonProcessingException e) {
            return ErrorBody.response(ReasonCode.MALFORMED_PAYLOAD, "not a distillation request: " + e
                    .getOriginalMessage(), List.of());
        }
        if (asked == null) {
            return ErrorBody.response(ReasonCode.MALFORMED_PAYLOAD, "not a distillation request: null", List.of());
        }
        try {
            return Response.accepted(DistillationView.of(distillations.request(task, asked, caller.get()
                    .identity()))).build();
        } catch (RejectedException e) {
            return ErrorBody.response(e.reason(), e.getMessage(), List.of());
        }
    }

    @Operation(summary = "The task's distillations, oldest first")
    @GET
    public List<DistillationView> list(@PathParam("task") String task) {
        return distillations.forTask(task).stream().map(DistillationView::of).toList();
    }

    @Operation(summary = "One distillation: its settings, its state and its student")
    @GET
    @Path("{id}")
    public Response get(@PathParam("task") String task, @PathParam("id") String id) {
        return distillations.find(task, id).map(r -> Response.ok(DistillationView.of(r)).build()).orElseGet(
                () -> ErrorBody.response(ReasonCode.NOT_FOUND, "task '" + task + "' has no distillation '" + id
                        + "'", List.of()));
    }
}
