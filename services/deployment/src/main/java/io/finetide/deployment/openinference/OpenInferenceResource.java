package io.finetide.deployment.openinference;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import com.fasterxml.jackson.annotation.JsonIgnore;

import io.finetide.deployment.api.MeasuredRequests;
import io.finetide.deployment.config.DeploymentConfig;
import io.finetide.deployment.feedback.PredictionId;
import io.finetide.deployment.rollout.CanaryRouting;
import io.finetide.deployment.rollout.RoutedServing;
import io.finetide.deployment.serving.QueueFullException;
import io.finetide.deployment.serving.ServedModel;
import io.finetide.deployment.serving.ServingModels;
import io.finetide.deployment.store.ModelRecord;
import io.finetide.runtime.security.Requires;
import io.smallrye.common.annotation.Blocking;

/**
 * The KServe Open Inference Protocol (V2, the REST form Triton, KServe and Seldon speak) for text classifiers: a
 * task's name is its model name, a registered model's version its version. Inference without a version is served by
 * the champion through dynamic batching; with one, by that registered model. Health endpoints are open, like
 * {@code /q/health}; the rest needs an API key when keys are configured.
 */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
// The protocol's own error body, not Finetide's ErrorBody: clients of KServe and Triton expect {"error": "..."}.
@APIResponse(responseCode = "4XX", description = "Refused, with the protocol's error body", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OpenInferenceResource.ProtocolError.class)))
public class OpenInferenceResource {

    /** The header that tells where the JSON ends and binary tensors begin (Triton's binary tensor extension). */
    static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    public record ServerMetadata(String name, String version, List<String> extensions) {
    }

    public record TensorMetadata(String name, String datatype, List<Integer> shape) {
    }

    public record ModelMetadata(String name, List<String> versions, String platform, List<TensorMetadata> inputs,
            List<TensorMetadata> outputs, Map<String, Object> parameters) {
    }

    /** The protocol's error body, {@code {"error": "..."}}; the reason tags the request metric. */
    public record ProtocolError(@JsonIgnore String reason, String error) implements MeasuredRequests.Refusal {
    }

    @Inject
    OpenInferenceModels models;

    @Inject
    MeasuredRequests requests;

    @Inject
    DeploymentConfig config;

    @Inject
    OpenInferenceGeneration generation;

    @Operation(summary = "Server metadata (Open Inference Protocol v2)")
    @GET
    public ServerMetadata server() {
        return new ServerMetadata("finetide", getClass().getPackage().getImplementationVersion() == null
                ? "dev"
                : getClass().getPackage().getImplementationVersion(), List.of("binary_tensor_data"));
    }

    @Operation(summary = "Server liveness (Open Inference Protocol v2)")
    @GET
    @Path("/health/live")
    public Response live() {
        return Response.ok(Map.of("live", true)).build();
    }

    /** Ready once the recorded champions are back in memory, as the service's readiness check. */
    @Operation(summary = "Server readiness: the recorded champions are loaded")
    @GET
    @Path("/health/ready")
    public Response ready() {
        return Response.status(models.ready() ? 200 : 503).entity(Map.of("ready", models.ready())).build();
    }

    @Requires(taskParam = "model")
    @Operation(summary = "Model metadata: the task champion's inputs, outputs and versions")
    @GET
    @Path("/models/{model}")
    public Response metadata(@PathParam("model") String task) {
        return models.champion(task).map(m -> metadata(task, m)).orElseGet(() -> notServed(task));
    }

    @Requires(taskParam = "model")
    @Operation(summary = "Metadata of one registered version of the task's model")
    @GET
    @Path("/models/{model}/versions/{version}")
    public Response metadata(@PathParam("model") String task, @PathParam("version") String version) {
        return models.version(task, version).map(m -> metadata(task, m)).orElseGet(() -> noVersion(task, version));
    }

    @Requires(taskParam = "model")
    @Operation(summary = "Whether the task's champion is loaded and answering")
    @GET
    @Path("/models/{model}/ready")
    public Response modelReady(@PathParam("model") String task) {
        boolean ready = models.champion(task).isPresent();
        return Response.status(ready ? 200 : 404).entity(Map.of("name", task, "ready", ready)).build();
    }

    /** A registered version is ready: a request to it loads it if it is not in memory. */
    @Requires(taskParam = "model")
    @Operation(summary = "Whether a registered version can answer (it is loaded on first use)")
    @GET
    @Path("/models/{model}/versions/{version}/ready")
    public Response modelReady(@PathParam("model") String task, @PathParam("version") String version) {
        boolean ready = models.version(task, version).isPresent();
        return Response.status(ready ? 200 : 404).entity(Map.of("name", task, "version", version, "ready", ready))
                .build();
    }

    @Requires(taskParam = "model")
    @Operation(summary = "Inference with the task's champion (or its canary), Open Inference Protocol v2, JSON or binary")
    @POST
    @Path("/models/{model}/infer")
    @Consumes(MediaType.WILDCARD)
    public Response infer(@PathParam("model") String task, @HeaderParam(CanaryRouting.HEADER) String requestKey,
            @HeaderParam(HEADER_LENGTH) Integer headerLength, byte[] body) {
        return measured(task, body, headerLength, request -> {
            Optional<RoutedServing.Served> served = models.infer(task, request.served(), requestKey);
            return served.map(a -> answer(task, a, request)).orElseGet(() -> notServed(task));
        });
    }

    @Requires(taskParam = "model")
    @Operation(summary = "Inference with one registered version of the task's model")
    @POST
    @Path("/models/{model}/versions/{version}/infer")
    @Consumes(MediaType.WILDCARD)
    public Response inferVersion(@PathParam("model") String task, @PathParam("version") String version,
            @HeaderParam(HEADER_LENGTH) Integer headerLength, byte[] body) {
        return measured(task, body, headerLength, request -> {
            Optional<ModelRecord> model = models.version(task, version);
            if (model.isEmpty()) {
                return noVersion(task, version);
            }
            return answer(task, models.infer(task, model.get(), request.served()), request);
        });
    }

    @Requires(taskParam = "model")
    @Operation(summary = "Writes a completion with a text-generation task's champion (Triton's generate extension): text_input; parameters max_tokens, temperature, top_k, top_p, seed, beam_width, stop")
    @POST
    @Path("/models/{model}/generate")
    @Consumes(MediaType.WILDCARD)
    public Response generate(@PathParam("model") String task, byte[] body) {
        return requests.measured(task, "generate", 1, () -> generation.answer(task, body));
    }

    @Requires(taskParam = "model")
    @Operation(summary = "The same completion as server-sent events: a data chunk per piece of text as it is written, the last with its finish_reason")
    @POST
    @Path("/models/{model}/generate_stream")
    @Consumes(MediaType.WILDCARD)
    @Produces({MediaType.SERVER_SENT_EVENTS, MediaType.APPLICATION_JSON})
    public Response generateStream(@PathParam("model") String task, byte[] body) {
        return requests.measured(task, "generate", 1, () -> generation.stream(task, body));
    }

    private Response measured(String task, byte[] body, Integer headerLength,
            java.util.function.Function<InferenceRequest, Response> answer) {
        InferenceRequest[] parsed = new InferenceRequest[1];
        Response refused = null;
        try {
            parsed[0] = InferenceRequest.parse(body == null ? new byte[0] : body, headerLength);
            if (parsed[0].texts().size() > config.maxTextsPerRequest()) {
                refused = error(413, "BATCH_TOO_LARGE", parsed[0].texts().size() + " texts, the limit is " + config
                        .maxTextsPerRequest());
            }
        } catch (InferenceRequest.Invalid e) {
            refused = error(400, "MALFORMED_PAYLOAD", e.getMessage());
        }
        Response early = refused;
        int texts = parsed[0] == null ? 0 : parsed[0].texts().size();
        return requests.measured(task, "infer", texts, () -> {
            if (early != null) {
                return early;
            }
            try {
                return answer.apply(parsed[0]);
            } catch (QueueFullException e) {
                return Response.fromResponse(error(429, "QUEUE_FULL", e.getMessage())).header("Retry-After", "1")
                        .build();
            } catch (ServedModel.WrongKindException e) {
                return error(400, "WRONG_ENDPOINT", OpenInferenceModels.wrongKind(task, e.served()));
            }
        });
    }

    private static Response answer(String task, RoutedServing.Served served, InferenceRequest request) {
        ServingModels.Answer answer = served.answer();
        InferenceResponse out = InferenceResponse.of(task, OpenInferenceModels.versionName(task, answer
                .modelId(), answer.version()), request, answer.labels(), answer
                        .predictions(),
                served.predictionIds().stream().map(PredictionId::encoded).toList());
        if (out.headerLength() == null) {
            return Response.ok(out.body(), MediaType.APPLICATION_JSON).build();
        }
        return Response.ok(out.body(), MediaType.APPLICATION_OCTET_STREAM).header(HEADER_LENGTH, out.headerLength())
                .build();
    }

    private Response metadata(String task, ModelRecord model) {
        ServedModel.Kind kind = models.kind(task, model);
        if (kind == ServedModel.Kind.TAGS_WORDS) {
            return error(400, "WRONG_ENDPOINT", OpenInferenceModels.wrongKind(task, kind));
        }
        List<String> versions = models.versions(task);
        Map<String, Object> parameters = new java.util.LinkedHashMap<>(Map.of("model_id", model.modelId(),
                "version", OpenInferenceModels.versionName(task, model.modelId(), model.version()), "stage", model
                        .stage()));
        if (kind == ServedModel.Kind.WRITES_COMPLETIONS) {
            return Response.ok(new ModelMetadata(task, versions, OpenInferenceModels.PLATFORM, List.of(
                    new TensorMetadata(GenerateExtensionRequest.TEXT_INPUT, "BYTES", List.of(1))),
                    List.of(
                            new TensorMetadata(GenerateExtensionRequest.TEXT_OUTPUT, "BYTES", List.of(1))),
                    parameters)).build();
        }
        List<String> labels = models.labels(task, model);
        parameters.put("labels", labels);
        List<TensorMetadata> outputs = java.util.Arrays.stream(InferenceOutput.values()).map(o -> new TensorMetadata(
                o.wireName(), o.datatype().name(), o == InferenceOutput.PROBABILITIES
                        ? List.of(-1, labels.size())
                        : List.of(-1)))
                .toList();
        List<TensorMetadata> inputs = OpenInferenceModels.inputs(kind).stream().map(name -> new TensorMetadata(name,
                "BYTES", List.of(-1))).toList();
        return Response.ok(new ModelMetadata(task, versions, OpenInferenceModels.PLATFORM, inputs, outputs,
                parameters)).build();
    }

    private static Response notServed(String task) {
        return error(404, "NO_CHAMPION", "model '" + task + "' has no version in service yet");
    }

    private static Response noVersion(String task, String version) {
        return error(404, "NOT_FOUND", "model '" + task + "' has no registered version '" + version + "'");
    }

    static Response error(int status, String reason, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ProtocolError(reason, message))
                .build();
    }
}
