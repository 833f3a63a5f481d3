package io.finetide.evaluation.api;

import java.util.stream.Collectors;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.finetide.evaluation.store.EvaluationStore;
import io.finetide.platform.events.ProtoJson;
import io.finetide.runtime.api.ErrorBody;
import io.finetide.runtime.security.Requires;
import io.smallrye.common.annotation.Blocking;

/**
 * The audit trail of a task's gate: every verdict, oldest first, as the evaluated event with its full report (every
 * rule's figures and outcome, significance, slices, robustness, calibration, what triggered it).
 */
@Requires
@Path("/api/v1/tasks/{task}/evaluations")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class EvaluationResource {

    @Inject
    EvaluationStore store;

    @Operation(summary = "Every verdict on the task's candidates, oldest first, with its full report")
    @GET
    @APIResponse(responseCode = "200", description = "Every verdict, as ModelEvaluatedEvent JSON, oldest first", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY)))
    public String list(@PathParam("task") String task) {
        return store.forTask(task).stream().map(r -> ProtoJson.printAll(r.event())).collect(Collectors.joining(",", "[",
                "]"));
    }

    @Operation(summary = "The verdict on one model, with its full report")
    @GET
    @Path("/{model}")
    public Response one(@PathParam("task") String task, @PathParam("model") String model) {
        return store.find(model).filter(r -> r.task().equals(task)).map(r -> Response.ok(ProtoJson.printAll(r.event()))
                .build()).orElseGet(() -> Response.status(404).type(MediaType.APPLICATION_JSON)
                        .entity(new ErrorBody(
                                "UNKNOWN_MODEL", "no verdict on model '" + model + "' of task '" + task + "'"))
                        .build());
    }
}
