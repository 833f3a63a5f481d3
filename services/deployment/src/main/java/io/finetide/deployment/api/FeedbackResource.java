package io.finetide.deployment.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

import io.finetide.deployment.feedback.LiveQuality;
import io.finetide.deployment.feedback.PredictionId;
import io.finetide.deployment.messaging.EventPublisher;
import io.finetide.deployment.serving.ServingModels;
import io.finetide.platform.events.Events;
import io.finetide.proto.v1.FeedbackEvent;
import io.finetide.runtime.security.Requires;
import io.smallrye.common.annotation.Blocking;

/**
 * Delayed ground truth for served predictions, by the prediction id each answer carries; and the live figures it
 * gives each model. Feedback is checked here and published on the feedback topic, which every replica reads.
 */
@Requires
@Path("/api/v1/tasks/{task}")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class FeedbackResource {

    /** The true label of one served prediction; {@code source} says who or what knows it. */
    public record Feedback(String predictionId, String label, String source) {
    }

    public record Accepted(int accepted) {
    }

    public record LiveView(String task, List<LiveQuality.ModelFigures> models) {
    }

    @Inject
    ServingModels serving;

    @Inject
    EventPublisher publisher;

    @Inject
    LiveQuality live;

    /** Takes a list of feedback, all or none: a bad item refuses the request, naming it. */
    @Operation(summary = "Records the true labels of earlier predictions (all or none)")
    @POST
    @Path("/feedback")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response feedback(@PathParam("task") String task, List<Feedback> items) {
        if (items == null || items.isEmpty()) {
            return MeasuredRequests.error(400, "MISSING_FIELD", "give a non-empty array of {predictionId, label}");
        }
        Optional<List<String>> labels = serving.servedLabels(task);
        if (labels.isEmpty()) {
            return MeasuredRequests.error(404, "NO_CHAMPION", "task '" + task + "' has no model in service");
        }
        List<FeedbackEvent> events = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Feedback f = items.get(i);
            if (f == null || f.predictionId() == null || f.label() == null) {
                return MeasuredRequests.error(400, "MISSING_FIELD", "item " + i + " needs predictionId and label");
            }
            if (PredictionId.parse(f.predictionId()).isEmpty()) {
                return MeasuredRequests.error(400, "MALFORMED_PAYLOAD", "item " + i + ": '" + f.predictionId()
                        + "' is not a prediction id this service gave");
            }
            if (!labels.get().contains(f.label())) {
                return MeasuredRequests.error(422, "UNKNOWN_LABEL", "item " + i + ": label '" + f.label()
                        + "' is not one of " + labels.get());
            }
            events.add(FeedbackEvent.newBuilder().setMeta(Events.meta(task)).setPredictionId(f.predictionId())
                    .setLabel(f.label()).setSource(f.source() == null ? "" : f.source()).build());
        }
        publisher.feedback(events);
        return Response.accepted(new Accepted(events.size())).build();
    }

    /** Each model's live accuracy and macro-F1 over its feedback window. */
    @Operation(summary = "Each model's live accuracy and macro-F1 over its feedback window")
    @GET
    @Path("/live")
    public LiveView live(@PathParam("task") String task) {
        return new LiveView(task, live.figures(task));
    }
}
