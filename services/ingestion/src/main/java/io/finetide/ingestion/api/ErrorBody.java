package io.finetide.ingestion.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import io.finetide.ingestion.tasks.TaskService;
import io.finetide.platform.errors.RejectedException;

/** Error answers: {@code {"reason": CODE, "message": text}} with the reason's HTTP status. */
public record ErrorBody(String reason, String message) {

    @Provider
    public static class RejectedMapper implements ExceptionMapper<RejectedException> {
        @Override
        public Response toResponse(RejectedException e) {
            return Response.status(e.reason().httpStatus()).type(MediaType.APPLICATION_JSON)
                    .entity(new ErrorBody(e.reason().name(), e.getMessage())).build();
        }
    }

    @Provider
    public static class ConflictMapper implements ExceptionMapper<TaskService.ConflictException> {
        @Override
        public Response toResponse(TaskService.ConflictException e) {
            return Response.status(409).type(MediaType.APPLICATION_JSON)
                    .entity(new ErrorBody("TASK_CONFLICT", e.getMessage())).build();
        }
    }
}
