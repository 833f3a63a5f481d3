package io.finetide.deployment.api;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.finetide.deployment.metrics.DeploymentMetrics;
import io.finetide.deployment.serving.ServingModels;

/** Answers a serving request and counts it: its status and reason, latency, texts. */
@ApplicationScoped
public class MeasuredRequests {

    /** The body of a refused request, whatever its protocol: its reason becomes the request's metric tag. */
    public interface Refusal {
        String reason();
    }

    /** An error answer's body. */
    public record Error(String reason, String message) implements Refusal {
    }

    @Inject
    ServingModels serving;

    @Inject
    DeploymentMetrics metrics;

    /**
     * An exception (which the framework turns into a 500) is counted as one too, since it never returns a response
     * here.
     */
    public Response measured(String task, String endpoint, int texts, Supplier<Response> answer) {
        long start = System.nanoTime();
        int status = 500;
        String reason = "INTERNAL";
        try {
            Response response = answer.get();
            status = response.getStatus();
            reason = response.getEntity() instanceof Refusal e ? e.reason() : "OK";
            return response;
        } finally {
            record(task, endpoint, status, reason, texts, System.nanoTime() - start);
        }
    }

    /** Counts a request answered (or refused) after {@code nanos}, whatever its protocol. */
    public void record(String task, String endpoint, int status, String reason, int texts, long nanos) {
        // Served tasks only: the task is a URL segment, and any string there must not become a series.
        String tag = serving.servedModelId(task).isPresent() ? task : DeploymentMetrics.OTHER_TASK;
        metrics.request(tag, endpoint, status, reason, texts, nanos);
    }

    public static Response error(int status, String reason, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new Error(reason, message)).build();
    }
}
