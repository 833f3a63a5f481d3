package io.finetide.runtime.api;

import java.util.List;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.finetide.platform.errors.ReasonCode;

/**
 * Every refusal of every service: {@code {"reason": CODE, "message": text}} with the reason's HTTP status (the
 * {@code ErrorBody} of the OpenAPI documents); {@link HttpRefusals} answers so for the HTTP layer's refusals too.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ErrorBody(String reason, String message, List<String> problems) {

    public ErrorBody(String reason, String message) {
        this(reason, message, List.of());
    }

    public static Response response(ReasonCode reason, String message) {
        return response(reason, message, List.of());
    }

    /** @param problems every problem found, for a request with more than one (none: left out of the body) */
    public static Response response(ReasonCode reason, String message, List<String> problems) {
        return Response.status(reason.httpStatus()).type(MediaType.APPLICATION_JSON).entity(new ErrorBody(reason
                .name(), message, List.copyOf(problems))).build();
    }
}
