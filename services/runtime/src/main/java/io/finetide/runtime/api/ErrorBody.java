package io.finetide.runtime.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.finetide.platform.errors.ReasonCode;

/**
 * Every refusal of every service: {@code {"reason": CODE, "message": text}} with the reason's HTTP status (the
 * {@code ErrorBody} of the OpenAPI documents); {@link HttpRefusals} answers so for the HTTP layer's refusals too.
 */
public record ErrorBody(String reason, String message) {

    public static Response response(ReasonCode reason, String message) {
        return Response.status(reason.httpStatus()).type(MediaType.APPLICATION_JSON).entity(new ErrorBody(reason
                .name(), message)).build();
    }
}
