package io.finetide.runtime.api;

import java.util.Map;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;

/**
 * Refusals as a client can act on them, whoever made them: a {@link RejectedException} of Finetide's code, and those
 * the HTTP layer makes before it runs (no such route, wrong method or media type, a body that is not the JSON the
 * operation reads, where Quarkus would answer with no body). Under {@code /v2} (Open Inference) the body is the
 * protocol's {@code {"error": ...}}, which KServe and Triton clients read; elsewhere an {@link ErrorBody}.
 */
public class HttpRefusals {

    @ServerExceptionMapper
    public Response rejected(RejectedException e, UriInfo uri) {
        return answer(uri, e.reason(), e.reason().httpStatus(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response refused(WebApplicationException e, UriInfo uri) {
        Response given = e.getResponse();
        if (given.hasEntity()) {
            return given;
        }
        int status = given.getStatus();
        if (e instanceof NotFoundException && e.getCause() != null) {
            // JAX-RS answers 404 when a path or query value does not convert to its type; the route exists, the
            // value is wrong.
            return answer(uri, ReasonCode.MALFORMED_PAYLOAD, 400, "a parameter is not of its type: " + e.getCause()
                    .getMessage());
        }
        return answer(uri, ReasonCode.ofStatus(status), status, given.getStatusInfo().getReasonPhrase());
    }

    /** JSON of the wrong shape (an array for an object, an object for a text). */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        return malformed(e, uri);
    }

    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e, UriInfo uri) {
        return answer(uri, ReasonCode.MALFORMED_PAYLOAD, 400, "the body is not the JSON expected: " + e
                .getOriginalMessage());
    }

    private static Response answer(UriInfo uri, ReasonCode reason, int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body(uri.getPath(), reason.name(),
                message)).build();
    }

    /** The body of a refusal of a call to {@code path}: the protocol's under {@code /v2}, else an ErrorBody. */
    public static Object body(String path, String reason, String message) {
        return path.startsWith("/v2/") || path.startsWith("v2/") || path.equals("/v2")
                ? Map.of("error", message)
                : new ErrorBody(reason, message);
    }
}
