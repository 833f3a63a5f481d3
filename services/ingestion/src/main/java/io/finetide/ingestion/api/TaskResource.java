package io.finetide.ingestion.api;

import java.util.stream.Collectors;

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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.finetide.ingestion.tasks.TaskService;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.security.Role;
import io.finetide.platform.store.StoreRetry;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.runtime.api.ErrorBody;
import io.finetide.runtime.security.CurrentCaller;
import io.finetide.runtime.security.Requires;
import io.smallrye.common.annotation.Blocking;

/** Task definitions: the JSON form of {@code TaskDefinitionEvent}; unset fields take their documented defaults. */
@Requires(taskParam = "name")
@Path("/api/v1/tasks")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class TaskResource {

    @Inject
    TaskService tasks;

    @Inject
    CurrentCaller caller;

    @Operation(summary = "Creates a task (the JSON form of TaskDefinitionEvent; unset fields take their defaults)")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(value = Role.ADMIN, checksTasksItself = true)
    @RequestBody(required = true, description = "The task: TaskDefinitionEvent (proto/) as JSON", content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT), examples = @ExampleObject(name = "example", value = "{\"name\": \"reviews\", \"labels\": [\"negative\", \"positive\"], \"model\": {\"baseModel\": \"bge-small\"}}")))
    public Response create(String body) {
        TaskDefinitionEvent submitted = TaskDefinitions.fromJson(body == null ? "" : body);
        caller.requireTask(submitted.getName());
        TaskService.Outcome outcome = StoreRetry.call(() -> tasks.create(submitted));
        TaskDefinitionEvent stored = tasks.find(submitted.getName()).orElseThrow();
        return Response.status(outcome == TaskService.Outcome.CREATED ? 201 : 200)
                .entity(TaskDefinitions.toJson(stored)).build();
    }

    /** Changes a task: labels, type and splits are fixed; everything else may change (the revision goes up). */
    @Operation(summary = "Changes a task: a new revision (labels, type and splits are fixed)")
    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(value = Role.ADMIN, taskParam = "name")
    @RequestBody(required = true, description = "The fields to change, TaskDefinitionEvent as JSON", content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT), examples = @ExampleObject(name = "example", value = "{\"triggerMinNewExamples\": 500}")))
    public Response change(@PathParam("name") String name, String body) {
        TaskDefinitionEvent submitted = TaskDefinitions.fromJson(body == null ? "" : body);
        if (!submitted.getName().isEmpty() && !submitted.getName().equals(name)) {
            throw new RejectedException(ReasonCode.INVALID_TASK, "the body names task '" + submitted.getName()
                    + "', the path '" + name + "'");
        }
        return StoreRetry.call(() -> tasks.change(name, submitted)).map(o -> Response.ok(TaskDefinitions.toJson(
                tasks.find(name).orElseThrow())).build()).orElse(Response.status(404).entity(new ErrorBody(
                        "UNKNOWN_TASK", "no task '" + name + "'")).build());
    }

    /** Every task; for a key limited to some tasks, those. */
    @Operation(summary = "Every task (for a key limited to some tasks, those)")
    @GET
    @Requires(checksTasksItself = true)
    @APIResponse(responseCode = "200", description = "Every task definition, as TaskDefinitionEvent JSON", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY)))
    public String list() {
        return tasks.all().stream().filter(t -> caller.get().mayUse(t.getName())).map(TaskDefinitions::toJson)
                .collect(Collectors.joining(",", "[", "]"));
    }

    @Operation(summary = "One task's definition")
    @GET
    @Path("/{name}")
    public Response get(@PathParam("name") String name) {
        return tasks.find(name).map(t -> Response.ok(TaskDefinitions.toJson(t)).build())
                .orElse(Response.status(404).entity(new ErrorBody("UNKNOWN_TASK", "no task '" + name + "'")).build());
    }
}
