package io.finetide.runtime.api;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.platform.errors.ReasonCode;
import io.vertx.ext.web.Router;

/**
 * One limit on a request's path whatever the protocol. HTTP/1.1's codec answers 414 to a request line longer than
 * {@code quarkus.http.limits.max-initial-line-length} before any route; over HTTP/2 the same path arrives in the
 * header block, whose larger limit lets it through, and this first route refuses it with the same status and a reason.
 */
@Singleton
public class UriLengthLimit {

    /** " HTTP/1.1" and the space after the method: what a request line holds besides method and path. */
    private static final int REQUEST_LINE_FRAME = 10;

    void install(@Observes Router router, ObjectMapper json,
            @ConfigProperty(name = "quarkus.http.limits.max-initial-line-length", defaultValue = "4096") int maxLine) {
        router.route().order(Integer.MIN_VALUE).handler(context -> {
            String uri = context.request().uri();
            if (context.request().method().name().length() + uri.length() + REQUEST_LINE_FRAME <= maxLine) {
                context.next();
                return;
            }
            String path = context.request().path();
            context.response().setStatusCode(ReasonCode.URI_TOO_LONG.httpStatus()).putHeader("Content-Type",
                    "application/json").end(body(json, path == null ? "" : path, maxLine));
        });
    }

    private static String body(ObjectMapper json, String path, int maxLine) {
        try {
            return json.writeValueAsString(HttpRefusals.body(path, ReasonCode.URI_TOO_LONG.name(),
                    "the request line is longer than the " + maxLine + " characters this service reads"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
