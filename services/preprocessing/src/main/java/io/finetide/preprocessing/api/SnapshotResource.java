package io.finetide.preprocessing.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.finetide.platform.security.Role;
import io.finetide.platform.store.StoreRetry;
import io.finetide.preprocessing.drift.DriftMonitor;
import io.finetide.preprocessing.ownership.PreparationStatus;
import io.finetide.preprocessing.preparation.PreparationService;
import io.finetide.preprocessing.snapshot.SnapshotService;
import io.finetide.preprocessing.store.DatasetSnapshotRecord;
import io.finetide.preprocessing.store.SnapshotStore;
import io.finetide.preprocessing.trigger.TriggerService;
import io.finetide.proto.v1.DriftEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.runtime.api.ErrorBody;
import io.finetide.runtime.api.ListLimit;
import io.finetide.runtime.security.Requires;
import io.smallrye.common.annotation.Blocking;

/**
 * Dataset versions of a task: manifests and statistics (oldest first), a manual trigger, re-materialisation of a
 * snapshot from the prepared examples, and the latest drift figures.
 */
@Requires
@Path("/api/v1/tasks/{task}")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class SnapshotResource {

    @Inject
    SnapshotStore snapshots;

    @Inject
    SnapshotService service;

    @Inject
    TriggerService triggers;

    @Inject
    PreparationService preparation;

    @Inject
    DriftMonitor drift;

    @Inject
    PreparationStatus status;

    @Operation(summary = "The task's dataset snapshots, newest first, at most ?limit= of them")
    @GET
    @Path("/snapshots")
    public List<DatasetSnapshotRecord> list(@PathParam("task") String task,
            @QueryParam("limit") @DefaultValue(ListLimit.DEFAULT) int limit) {
        return snapshots.newest(task, ListLimit.checked(limit));
    }

    @Operation(summary = "One snapshot: its splits, hashes and the Kafka offsets it was cut at")
    @GET
    @Path("/snapshots/{id}")
    public Response get(@PathParam("task") String task, @PathParam("id") String id) {
        return snapshots.find(id).filter(r -> r.task().equals(task)).map(r -> Response.ok(r).build()).orElse(
                notFound("UNKNOWN_SNAPSHOT", "no snapshot '" + id + "' of task '" + task + "'"));
    }

    /** Builds the snapshot again from the prepared examples and says whether its hash is the recorded one. */
    @Operation(summary = "Builds a snapshot again and says whether its hash is the recorded one")
    @GET
    @Path("/snapshots/{id}/verify")
    public Response verify(@PathParam("task") String task, @PathParam("id") String id) {
        return snapshots.find(id).filter(r -> r.task().equals(task)).map(r -> Response.ok(StoreRetry.call(
                () -> service.verify(r))).build()).orElse(notFound("UNKNOWN_SNAPSHOT", "no snapshot '" + id
                        + "' of task '" + task + "'"));
    }

    /**
     * Asks for a snapshot now (after the task's debounce window); 202 with the pending trigger reasons. Any instance
     * takes it: one that does not prepare the task leaves it in the store for the one that does.
     */
    @Operation(summary = "Asks for a snapshot now (after the task's debounce window)")
    @POST
    @Path("/snapshots")
    @Requires(Role.ADMIN)
    public Response request(@PathParam("task") String task, @QueryParam("by") String by) {
        TaskDefinitionEvent def = preparation.directory().tasks().get(task).orElse(null);
        if (def == null) {
            return notFound("UNKNOWN_TASK", "no task '" + task + "'");
        }
        Map<String, String> pending = triggers.requestManually(def, by == null ? "" : by);
        return Response.accepted(Map.of("task", task, "pending", pending)).build();
    }

    /** Where preparation stands: sequence reached, training examples, how many are new, pending trigger reasons. */
    @Operation(summary = "Where preparation stands: sequence reached, examples, new ones, pending triggers")
    @GET
    @Path("/preparation")
    public Response preparation(@PathParam("task") String task) {
        if (preparation.directory().tasks().get(task).isEmpty()) {
            return notFound("UNKNOWN_TASK", "no task '" + task + "'");
        }
        return Response.ok(status.of(task)).build();
    }

    /** The newest drift figure per reference kind and feature ({@code data/label}, {@code live/confidence}, ...). */
    @Operation(summary = "The newest drift figure per reference kind and feature")
    @GET
    @Path("/drift")
    public Map<String, Map<String, Object>> drift(@PathParam("task") String task) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Map.Entry<String, DriftEvent> e : drift.latest(task).entrySet()) {
            DriftEvent d = e.getValue();
            out.put(e.getKey(), Map.of("reference", d.getReference(), "psi", d.getPsi(), "jsDivergence", d
                    .getJsDivergence(), "threshold", d.getThreshold(), "exceeded", d.getExceeded(), "examples",
                    d
                            .getExamples()));
        }
        return out;
    }

    private static Response notFound(String reason, String message) {
        return Response.status(404).entity(new ErrorBody(reason, message)).build();
    }
}
