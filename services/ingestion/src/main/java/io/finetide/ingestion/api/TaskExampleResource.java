package io.finetide.ingestion.api;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.finetide.ingestion.intake.DeletionService;
import io.finetide.ingestion.store.ExampleStore;
import io.finetide.ingestion.tasks.TaskService;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.MetadataKeys;
import io.finetide.platform.security.Role;
import io.finetide.platform.store.StoreRetry;
import io.finetide.runtime.audit.AuditReason;
import io.finetide.runtime.security.Requires;
import io.smallrye.common.annotation.Blocking;

/**
 * A task's stored examples: the label history of one ({@code GET .../examples/{id}/labels}, any role), and deleting
 * a subject's examples (admin): {@code DELETE .../examples/{id}} for one, {@code POST .../examples/deletions} with
 * {@code {"ids": [...], "metadataKey": "customer", "metadataValue": "c-17", "reason": "..."}} for many.
 */
@Requires(Role.ADMIN)
@Path("/api/v1/tasks/{task}/examples")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class TaskExampleResource {

    @Inject
    AuditReason auditReason;

    public record DeletionRequest(List<String> ids, String metadataKey, String metadataValue, String reason) {
    }

    public record DeletionResult(String task, int deleted, List<String> ids) {
    }

    @Inject
    DeletionService deletions;

    @Inject
    TaskService tasks;

    @Inject
    ExampleStore store;

    @Operation(summary = "Deletes one stored example and its labels (erasure; the reason is recorded)")
    @DELETE
    @Path("/{id}")
    public Response deleteOne(@PathParam("task") String task, @PathParam("id") String id,
            @QueryParam("reason") String reason) {
        requireTask(task);
        List<String> deleted = StoreRetry.call(() -> deletions.delete(task, List.of(id), null, null, reason(reason)));
        if (deleted.isEmpty()) {
            throw new RejectedException(ReasonCode.UNKNOWN_EXAMPLE, "task '" + task + "' has no example '" + id + "'");
        }
        return Response.ok(new DeletionResult(task, deleted.size(), deleted)).build();
    }

    @Operation(summary = "Deletes a subject's examples by ids or by a metadata value (erasure; the reason is recorded)")
    @POST
    @Path("/deletions")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response delete(@PathParam("task") String task, DeletionRequest request) {
        requireTask(task);
        List<String> ids = request == null || request.ids() == null ? List.of() : request.ids();
        String key = request == null ? null : request.metadataKey();
        if (ids.isEmpty() && (key == null || key.isBlank())) {
            throw new RejectedException(ReasonCode.MISSING_FIELD, "give 'ids' or 'metadataKey' and 'metadataValue'");
        }
        if (key != null && !key.isBlank()) {
            MetadataKeys.require(key);
        }
        if (ids.stream().anyMatch(i -> i == null || i.isBlank())) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "'ids' must not contain blank ids");
        }
        auditReason.is(reason(request.reason()));
        List<String> deleted = StoreRetry.call(() -> deletions.delete(task, ids, key, request.metadataValue(),
                reason(request.reason())));
        return Response.ok(new DeletionResult(task, deleted.size(), deleted)).build();
    }

    /** Every label an example was given, oldest first, with its outcome. */
    @Operation(summary = "Every label an example was given, oldest first, with its outcome")
    @GET
    @Path("/{id}/labels")
    @Requires
    public Response labels(@PathParam("task") String task, @PathParam("id") String id) {
        return Response.ok(store.labelHistory(task, id)).build();
    }

    private void requireTask(String task) {
        if (tasks.find(task).isEmpty()) {
            throw new RejectedException(ReasonCode.UNKNOWN_TASK, "no task '" + task + "'");
        }
    }

    private static String reason(String reason) {
        return reason == null || reason.isBlank() ? "subject's request" : reason;
    }
}
