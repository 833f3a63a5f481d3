package io.finetide.ingestion.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import io.finetide.ingestion.tasks.TaskService;
import io.finetide.runtime.api.ErrorBody;

/** A task change that contradicts the task (labels, type or splits changed): 409 TASK_CONFLICT. */
@Provider
public class TaskConflictMapper implements ExceptionMapper<TaskService.ConflictException> {
    @Override
    public Response toResponse(TaskService.ConflictException e) {
        return Response.status(409).type(MediaType.APPLICATION_JSON).entity(new ErrorBody("TASK_CONFLICT", e
                .getMessage())).build();
    }
}
