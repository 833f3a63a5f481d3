package io.finetide.deployment.api;

import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.finetide.deployment.cards.ModelCard;
import io.finetide.deployment.cards.ModelCardMarkdown;
import io.finetide.deployment.cards.ModelCards;
import io.finetide.deployment.registry.RegistryService;
import io.finetide.deployment.store.ModelStore;
import io.finetide.runtime.security.Requires;
import io.smallrye.common.annotation.Blocking;

/**
 * A registered model's card: Markdown for people, JSON for tools. A model has one once the evaluation service has
 * judged it (the verdict's report is what the card states).
 */
@Requires
@Path("/api/v1/tasks/{task}/models/{modelId}")
@Blocking
public class ModelCardResource {

    @Inject
    RegistryService registry;

    @Inject
    ModelStore store;

    @Operation(summary = "A registered model's card as Markdown (or JSON when asked for)")
    @GET
    @Path("/card")
    @Produces({"text/markdown; charset=utf-8", MediaType.APPLICATION_JSON})
    public Response markdown(@PathParam("task") String task, @PathParam("modelId") String modelId) {
        return card(task, modelId).map(c -> Response.ok(ModelCardMarkdown.render(c), "text/markdown; charset=utf-8")
                .build()).orElseGet(() -> missing(task, modelId));
    }

    @Operation(summary = "A registered model's card as JSON")
    @GET
    @Path("/card.json")
    @Produces(MediaType.APPLICATION_JSON)
    public Response json(@PathParam("task") String task, @PathParam("modelId") String modelId) {
        return card(task, modelId).map(c -> Response.ok(c, MediaType.APPLICATION_JSON).build()).orElseGet(
                () -> missing(task, modelId));
    }

    Optional<ModelCard> card(String task, String modelId) {
        return registry.models(task).stream().filter(m -> m.modelId().equals(modelId)).findFirst().flatMap(
                m -> store.evaluation(modelId).map(v -> ModelCards.of(m, v)));
    }

    private static Response missing(String task, String modelId) {
        return Response.status(404).type(MediaType.APPLICATION_JSON).entity(new MeasuredRequests.Error("NOT_FOUND",
                "task '" + task + "' has no judged model '" + modelId + "'")).build();
    }
}
