package io.finetide.ingestion.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.finetide.ingestion.labeling.LabelQueue;
import io.finetide.ingestion.labeling.LabelService;
import io.finetide.ingestion.labeling.WeakSupervision;
import io.finetide.ingestion.store.LabelingFunctionRecord;
import io.finetide.ingestion.store.LabelingStore;
import io.finetide.ingestion.store.WeakLabelReportRecord;
import io.finetide.ingestion.tasks.TaskService;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.security.Role;
import io.finetide.platform.store.StoreRetry;
import io.finetide.runtime.security.Requires;
import io.smallrye.common.annotation.Blocking;

/**
 * People and rules in the loop, per task: the labeling queue and progress (annotators), adjudication of held
 * examples (admins), labeling functions and weak-label runs (admins manage, annotators read). Labels themselves are
 * posted to {@code POST /api/v1/labels}.
 */
@Requires(Role.ANNOTATOR)
@Path("/api/v1/tasks/{task}")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class LabelingResource {

    /** {@code label} for a text task, {@code tags} (one per token) for a token task. */
    public record Adjudication(String id, String label, List<String> tags, String admin) {
    }

    public record HeldExample(String id, String text, List<LabelingStore.Vote> votes) {
    }

    public record FunctionBody(String kind, List<String> patterns, String label, Boolean caseSensitive) {
    }

    @Inject
    LabelQueue queue;

    @Inject
    LabelService labels;

    @Inject
    WeakSupervision weak;

    @Inject
    LabelingStore store;

    @Inject
    TaskService tasks;

    /** The next examples for {@code annotator}: most uncertain first once a champion has scored them. */
    @Operation(summary = "The next examples for an annotator to label, most uncertain first")
    @GET
    @Path("/queue")
    public LabelQueue.Batch next(@PathParam("task") String task, @QueryParam("annotator") String annotator,
            @QueryParam("size") @DefaultValue("10") int size) {
        return StoreRetry.call(() -> queue.next(task, annotator, size));
    }

    /** Counts, votes per annotator, and agreement (Fleiss' kappa over the quorum, Cohen's kappa per pair). */
    @Operation(summary = "Labeling progress: counts, votes per annotator and agreement")
    @GET
    @Path("/labeling")
    public LabelQueue.Progress progress(@PathParam("task") String task) {
        return StoreRetry.call(() -> queue.progress(task));
    }

    @Operation(summary = "Examples whose annotators disagree, waiting for an adjudicator")
    @GET
    @Path("/adjudications")
    @Requires(Role.ADMIN)
    public List<HeldExample> held(@PathParam("task") String task) {
        tasks.require(task);
        List<HeldExample> out = new ArrayList<>();
        for (LabelingStore.Pending p : store.pending(task)) {
            if (p.held()) {
                out.add(new HeldExample(p.id(), p.text(), store.votes(task, p.id())));
            }
        }
        return out;
    }

    @Operation(summary = "Settles a held example's label")
    @POST
    @Path("/adjudications")
    @Requires(Role.ADMIN)
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, String> adjudicate(@PathParam("task") String task, Adjudication body) {
        List<String> tags = body == null || body.tags() == null ? List.of() : body.tags();
        if (body == null || blank(body.id()) || (blank(body.label()) && tags.isEmpty())) {
            throw new RejectedException(ReasonCode.MISSING_FIELD, "'id' and 'label' (or 'tags') are required");
        }
        String admin = blank(body.admin()) ? "admin" : body.admin().strip();
        String label = body.label() == null ? "" : body.label();
        LabelService.Outcome o = StoreRetry.call(() -> labels.adjudicate(task, body.id(), label, tags, admin));
        return Map.of("id", body.id(), "status", o.tag());
    }

    @Operation(summary = "The task's labeling functions")
    @GET
    @Path("/labeling-functions")
    public List<LabelingFunctionRecord> functions(@PathParam("task") String task) {
        return weak.list(task);
    }

    @Operation(summary = "Creates or replaces a labeling function")
    @PUT
    @Path("/labeling-functions/{name}")
    @Requires(Role.ADMIN)
    @Consumes(MediaType.APPLICATION_JSON)
    public Response putFunction(@PathParam("task") String task, @PathParam("name") String name, FunctionBody body) {
        if (body == null) {
            throw new RejectedException(ReasonCode.MISSING_FIELD, "a body with 'kind', 'patterns' and 'label'");
        }
        boolean replaced = StoreRetry.call(() -> weak.put(task, name, body.kind(), body.patterns(), body.label(),
                Boolean.TRUE.equals(body.caseSensitive())));
        return Response.status(replaced ? 200 : 201).entity(Map.of("name", name, "status", replaced
                ? "replaced"
                : "created")).build();
    }

    @Operation(summary = "Deletes a labeling function")
    @DELETE
    @Path("/labeling-functions/{name}")
    @Requires(Role.ADMIN)
    public Map<String, String> deleteFunction(@PathParam("task") String task, @PathParam("name") String name) {
        if (!StoreRetry.call(() -> weak.delete(task, name))) {
            throw new RejectedException(ReasonCode.NOT_FOUND, "task '" + task + "' has no labeling function '" + name
                    + "'");
        }
        return Map.of("name", name, "status", "deleted");
    }

    /** Applies every labeling function to the task's examples, stores weak labels, returns the report. */
    @Operation(summary = "Applies every labeling function to the task's examples and stores the weak labels")
    @POST
    @Path("/weak-labels/runs")
    @Requires(Role.ADMIN)
    public WeakLabelReportRecord run(@PathParam("task") String task) {
        return StoreRetry.call(() -> weak.run(task));
    }

    @Operation(summary = "The latest weak-labeling report")
    @GET
    @Path("/weak-labels")
    public WeakLabelReportRecord report(@PathParam("task") String task) {
        return weak.report(task);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
