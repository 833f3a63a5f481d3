package io.finetide.deployment.api;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.finetide.deployment.delivery.DeliveryService;
import io.finetide.deployment.rollout.RolloutService;
import io.finetide.deployment.serving.ServingModels;
import io.finetide.deployment.store.DeliveryActionRecord;
import io.finetide.deployment.store.DeliveryStore;
import io.finetide.platform.security.Role;
import io.finetide.runtime.audit.AuditReason;
import io.finetide.runtime.security.Requires;
import io.smallrye.common.annotation.Blocking;

/**
 * Manual control of what serves a task (admin role): promote a registered model, roll the champion back to the
 * previous one, pin the task (no automatic promotion, rollback or rollout transition), abort a rollout. Each action names who and why, and is recorded.
 */
@Path("/api/v1/tasks/{task}/delivery")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class DeliveryResource {

    @Inject
    AuditReason auditReason;

    /** Who asks and why; both required, both recorded. */
    public record Request(String by, String reason, String modelId, Boolean pinned) {
    }

    public record Done(String task, String action, String servedModelId) {
    }

    public record DeliveryView(String task, String servedModelId, boolean pinned, List<DeliveryActionRecord> actions) {
    }

    @Inject
    DeliveryService delivery;

    @Inject
    DeliveryStore store;

    @Inject
    ServingModels serving;

    @Inject
    RolloutService rollouts;

    @Requires
    @Operation(summary = "The task's delivery: champion, rollout, pin and history")
    @GET
    public DeliveryView view(@PathParam("task") String task) {
        return new DeliveryView(task, serving.servedModelId(task).orElse(null), store.pinned(task), store.actions(
                task));
    }

    @Requires(Role.ADMIN)
    @Operation(summary = "Rolls the task back to its previous champion (who and why are recorded)")
    @POST
    @Path("/rollback")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response rollBack(@PathParam("task") String task, Request request) {
        Response missing = missing(request);
        if (missing != null) {
            return missing;
        }
        return answer(task, "rollback", delivery.rollBack(task, request.reason(), request.by()));
    }

    @Requires(Role.ADMIN)
    @Operation(summary = "Promotes a candidate with a passing verdict now, skipping the rest of its rollout")
    @POST
    @Path("/promote")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response promote(@PathParam("task") String task, Request request) {
        Response missing = missing(request);
        if (missing != null) {
            return missing;
        }
        if (request.modelId() == null || request.modelId().isBlank()) {
            return MeasuredRequests.error(400, "MISSING_FIELD", "'modelId' names the model to promote");
        }
        return answer(task, "promote", delivery.promote(task, request.modelId(), request.reason(), request.by()));
    }

    /** The task's rollout: its candidate, stage and evidence, and the judge's word on it (404 when none). */
    @Requires
    @Operation(summary = "The task's rollout: its candidate, stage, evidence and the judge's word on it")
    @GET
    @Path("/rollout")
    public Response rollout(@PathParam("task") String task) {
        return rollouts.view(task).map(v -> Response.ok(v).build()).orElseGet(() -> MeasuredRequests.error(404,
                "NO_ROLLOUT", "task '" + task + "' has no candidate in shadow or canary"));
    }

    /** Takes the task's candidate out of its rollout; the champion answers everything again. */
    @Requires(Role.ADMIN)
    @Operation(summary = "Takes the candidate out of its rollout; the champion answers everything again")
    @POST
    @Path("/abort")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response abort(@PathParam("task") String task, Request request) {
        Response missing = missing(request);
        if (missing != null) {
            return missing;
        }
        return rollouts.abort(task, request.reason(), request.by()).map(m -> Response.ok(new Done(task, "abort",
                serving.servedModelId(task).orElse(null))).build()).orElseGet(() -> MeasuredRequests.error(404,
                        "NO_ROLLOUT", "abort on task '" + task + "' refused: no candidate in shadow or canary"));
    }

    @Requires(Role.ADMIN)
    @Operation(summary = "Pins the task to a model (or unpins it): no promotion while pinned")
    @PUT
    @Path("/pin")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response pin(@PathParam("task") String task, Request request) {
        Response missing = missing(request);
        if (missing != null) {
            return missing;
        }
        if (request.pinned() == null) {
            return MeasuredRequests.error(400, "MISSING_FIELD", "'pinned' is true (freeze) or false (thaw)");
        }
        delivery.pin(task, request.pinned(), request.reason(), request.by());
        return Response.ok(new Done(task, request.pinned() ? "pin" : "unpin", serving.servedModelId(task).orElse(
                null))).build();
    }

    private Response answer(String task, String action, DeliveryService.Outcome outcome) {
        if (!outcome.done()) {
            int status = outcome.reason().equals("ALREADY_CHAMPION") ? 409 : 404;
            return MeasuredRequests.error(status, outcome.reason(), action + " on task '" + task + "' refused: "
                    + outcome.reason().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + (outcome
                            .modelId() == null ? "" : " (" + outcome.modelId() + ")"));
        }
        return Response.ok(new Done(task, action, serving.servedModelId(task).orElse(null))).build();
    }

    /** A refusal when the request does not say who asks and why; otherwise the reason goes to the audit log. */
    private Response missing(Request request) {
        if (request == null || request.by() == null || request.by().isBlank() || request.reason() == null || request
                .reason().isBlank()) {
            return MeasuredRequests.error(400, "MISSING_FIELD", "say who asks ('by') and why ('reason'); both are "
                    + "recorded");
        }
        auditReason.is(request.reason());
        return null;
    }
}
