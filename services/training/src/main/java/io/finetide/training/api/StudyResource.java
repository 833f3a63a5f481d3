package io.finetide.training.api;

import java.util.List;
import java.util.Map;

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

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.security.Role;
import io.finetide.proto.v1.StudySpec;
import io.finetide.runtime.api.ErrorBody;
import io.finetide.runtime.security.Requires;
import io.finetide.training.store.StudyRecord;
import io.finetide.training.store.StudyStore;
import io.finetide.training.studies.InvalidStudyException;
import io.finetide.training.studies.StudyService;
import io.finetide.training.studies.StudyView;
import io.smallrye.common.annotation.Blocking;

/**
 * Hyper-parameter studies of a task (docs/SEARCH.md): start one, follow its trials, stop it, make its best trial the
 * task's next revision. Refusals answer {@code {"reason", "message"}} (and {@code "problems"}, every one, for a bad
 * spec).
 */
@Requires
@Path("/api/v1/tasks/{task}/studies")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class StudyResource {

    @Inject
    StudyService studies;

    @Inject
    StudyStore store;

    @Operation(summary = "Starts a hyper-parameter study over the task (docs/SEARCH.md)")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Role.ADMIN)
    @RequestBody(required = true, description = "The study: its search space, sampler, budget and pruner (docs/SEARCH.md)", content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT), examples = @ExampleObject(name = "example", value = "{\"sampler\": \"TPE\", \"trials\": 12, \"pruner\": \"SUCCESSIVE_HALVING\", \"parameters\": [{\"name\": \"learningRate\", \"low\": 1e-5, \"high\": 1e-3, \"log\": true}]}")))
    public Response create(@PathParam("task") String task, String body) {
        StudySpec.Builder spec = StudySpec.newBuilder();
        try {
            JsonFormat.parser().merge(body == null ? "" : body, spec);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return refused(ReasonCode.MALFORMED_PAYLOAD, "not a study spec: " + e.getMessage(), List.of());
        }
        try {
            StudyRecord s = studies.create(task, spec.build());
            return Response.status(201).entity(view(s)).build();
        } catch (InvalidStudyException e) {
            return refused(e.reason(), e.getMessage(), e.problems());
        } catch (RejectedException e) {
            return refused(e.reason(), e.getMessage(), List.of());
        }
    }

    @Operation(summary = "The task's studies")
    @GET
    public List<StudyView> list(@PathParam("task") String task) {
        return store.studiesWithTrials(task).stream().map(s -> StudyView.of(s.study(), s.trials())).toList();
    }

    @Operation(summary = "One study: its trials, the best so far and each parameter's importance")
    @GET
    @Path("{id}")
    public Response get(@PathParam("task") String task, @PathParam("id") String id) {
        return studies.find(task, id).map(s -> Response.ok(view(s)).build()).orElseGet(() -> notFound(task, id));
    }

    @Operation(summary = "Stops a study: no new trials start")
    @POST
    @Path("{id}/stop")
    @Requires(Role.ADMIN)
    public Response stop(@PathParam("task") String task, @PathParam("id") String id) {
        return studies.find(task, id).map(s -> {
            studies.stop(s);
            return Response.accepted(view(store.study(id).orElseThrow())).build();
        }).orElseGet(() -> notFound(task, id));
    }

    @Operation(summary = "Makes the study's best trial the task's next revision")
    @POST
    @Path("{id}/apply")
    @Requires(Role.ADMIN)
    public Response apply(@PathParam("task") String task, @PathParam("id") String id) {
        return studies.find(task, id).map(s -> studies.apply(s).map(best -> Response.accepted(Map.of("trial", best
                .number(), "value", best.value(), "parameters", best.parameters())).build()).orElseGet(
                        () -> refused(ReasonCode.NO_COMPLETE_TRIAL, "study " + id + " has no complete trial to apply",
                                List
                                        .of())))
                .orElseGet(() -> notFound(task, id));
    }

    private StudyView view(StudyRecord s) {
        return StudyView.of(s, store.trials(s.id()));
    }

    private static Response notFound(String task, String id) {
        return refused(ReasonCode.NOT_FOUND, "task '" + task + "' has no study '" + id + "'", List.of());
    }

    private static Response refused(ReasonCode reason, String message, List<String> problems) {
        return ErrorBody.response(reason, message, problems);
    }
}
