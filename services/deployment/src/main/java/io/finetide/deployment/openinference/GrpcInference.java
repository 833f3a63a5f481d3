package io.finetide.deployment.openinference;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import com.google.protobuf.ByteString;

import io.finetide.deployment.api.MeasuredRequests;
import io.finetide.deployment.config.DeploymentConfig;
import io.finetide.deployment.openinference.v2.GRPCInferenceService;
import io.finetide.deployment.openinference.v2.InferParameter;
import io.finetide.deployment.openinference.v2.ModelInferRequest;
import io.finetide.deployment.openinference.v2.ModelInferResponse;
import io.finetide.deployment.openinference.v2.ModelMetadataRequest;
import io.finetide.deployment.openinference.v2.ModelMetadataResponse;
import io.finetide.deployment.openinference.v2.ModelReadyRequest;
import io.finetide.deployment.openinference.v2.ModelReadyResponse;
import io.finetide.deployment.openinference.v2.ServerLiveRequest;
import io.finetide.deployment.openinference.v2.ServerLiveResponse;
import io.finetide.deployment.openinference.v2.ServerMetadataRequest;
import io.finetide.deployment.openinference.v2.ServerMetadataResponse;
import io.finetide.deployment.openinference.v2.ServerReadyRequest;
import io.finetide.deployment.openinference.v2.ServerReadyResponse;
import io.finetide.deployment.rollout.RoutedServing;
import io.finetide.deployment.serving.QueueFullException;
import io.finetide.deployment.serving.ServedModel;
import io.finetide.deployment.serving.ServedText;
import io.finetide.deployment.serving.ServingModels;
import io.finetide.deployment.store.ModelRecord;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;

/**
 * The Open Inference Protocol over gRPC ({@code inference.GRPCInferenceService}), on the HTTP server's port: the same
 * models, versions and answers as the REST form ({@link OpenInferenceModels}). Outputs come back as raw tensors
 * ({@code raw_output_contents}), as Triton answers; texts are taken from {@code bytes_contents} or a raw tensor.
 * Refusals are gRPC statuses: NOT_FOUND, INVALID_ARGUMENT, RESOURCE_EXHAUSTED (a full batching queue).
 */
@GrpcService
@Blocking
@RegisterInterceptor(GrpcApiKeys.class)
public class GrpcInference implements GRPCInferenceService {

    /** The request parameter that keeps a caller with one model during a canary, as the REST header does. */
    static final String REQUEST_KEY = "finetide-request-key";

    @Inject
    OpenInferenceModels models;

    @Inject
    DeploymentConfig config;

    @Inject
    MeasuredRequests requests;

    @Override
    public Uni<ServerLiveResponse> serverLive(ServerLiveRequest request) {
        return Uni.createFrom().item(ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public Uni<ServerReadyResponse> serverReady(ServerReadyRequest request) {
        return Uni.createFrom().item(ServerReadyResponse.newBuilder().setReady(models.ready()).build());
    }

    @Override
    public Uni<ServerMetadataResponse> serverMetadata(ServerMetadataRequest request) {
        String version = getClass().getPackage().getImplementationVersion();
        return Uni.createFrom().item(ServerMetadataResponse.newBuilder().setName("finetide").setVersion(
                version == null ? "dev" : version).build());
    }

    @Override
    public Uni<ModelReadyResponse> modelReady(ModelReadyRequest request) {
        return Uni.createFrom().item(ModelReadyResponse.newBuilder().setReady(model(request.getName(), request
                .getVersion()).isPresent()).build());
    }

    @Override
    public Uni<ModelMetadataResponse> modelMetadata(ModelMetadataRequest request) {
        return answer(() -> {
            String task = request.getName();
            ModelRecord model = model(task, request.getVersion()).orElseThrow(() -> notFound(task, request
                    .getVersion()));
            ServedModel.Kind kind = models.kind(task, model);
            if (kind == ServedModel.Kind.TAGS_WORDS || kind == ServedModel.Kind.WRITES_COMPLETIONS) {
                // The generate extension is REST only.
                throw invalid(OpenInferenceModels.wrongKind(task, kind));
            }
            List<String> labels = models.labels(task, model);
            ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder().setName(task).addAllVersions(models
                    .versions(task)).setPlatform(OpenInferenceModels.PLATFORM);
            OpenInferenceModels.inputs(kind).forEach(name -> b.addInputs(tensor(name, "BYTES")));
            for (InferenceOutput o : InferenceOutput.values()) {
                ModelMetadataResponse.TensorMetadata.Builder t = tensor(o.wireName(), o.datatype().name())
                        .toBuilder();
                if (o == InferenceOutput.PROBABILITIES) {
                    t.addShape(labels.size());
                }
                b.addOutputs(t);
            }
            return b.build();
        });
    }

    @Override
    public Uni<ModelInferResponse> modelInfer(ModelInferRequest request) {
        return answer(() -> {
            String task = request.getModelName();
            long start = System.nanoTime();
            int status = 200;
            String reason = "OK";
            List<ServedText> texts = List.of();
            try {
                texts = texts(request);
                Set<InferenceOutput> outputs = outputs(request);
                RoutedServing.Served served;
                if (request.getModelVersion().isEmpty()) {
                    served = models.infer(task, texts, requestKey(request)).orElseThrow(() -> notFound(task, ""));
                } else {
                    ModelRecord model = models.version(task, request.getModelVersion()).orElseThrow(
                            () -> notFound(task, request.getModelVersion()));
                    served = models.infer(task, model, texts);
                }
                return response(task, request, served, outputs);
            } catch (StatusRuntimeException e) {
                status = e.getStatus().getCode() == Status.Code.NOT_FOUND ? 404 : 400;
                reason = e.getStatus().getCode().name();
                throw e;
            } catch (QueueFullException e) {
                status = 429;
                reason = "QUEUE_FULL";
                throw Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException();
            } catch (ServedModel.WrongKindException e) {
                status = 400;
                reason = "WRONG_ENDPOINT";
                throw invalid(OpenInferenceModels.wrongKind(task, e.served()));
            } finally {
                requests.record(task, "grpc-infer", status, reason, texts.size(), System.nanoTime() - start);
            }
        });
    }

    private ModelInferResponse response(String task, ModelInferRequest request, RoutedServing.Served served,
            Set<InferenceOutput> outputs) {
        ServingModels.Answer a = served.answer();
        List<String> ids = served.predictionIds().stream().map(io.finetide.deployment.feedback.PredictionId::encoded)
                .toList();
        ModelInferResponse.Builder b = ModelInferResponse.newBuilder().setModelName(task)
                .setModelVersion(OpenInferenceModels
                        .versionName(task, a.modelId(), a.version()))
                .setId(request.getId());
        for (InferenceOutput o : outputs) {
            ModelInferResponse.InferOutputTensor.Builder t = ModelInferResponse.InferOutputTensor.newBuilder()
                    .setName(o.wireName()).setDatatype(o.datatype().name()).addShape(a.predictions().size());
            if (o == InferenceOutput.PROBABILITIES) {
                t.addShape(a.labels().size());
            }
            b.addOutputs(t);
            b.addRawOutputContents(ByteString.copyFrom(InferenceResponse.binary(o, a.predictions(), ids)));
        }
        return b.build();
    }

    /** The texts of one input tensor, or of a pair model's two ({@link InferenceRequest#TEXT} and its pair). */
    private List<ServedText> texts(ModelInferRequest request) {
        if (request.getInputsCount() < 1 || request.getInputsCount() > 2) {
            throw invalid("'inputs' must hold one tensor, the texts, or two for pairs of texts, '"
                    + InferenceRequest.TEXT + "' and '" + InferenceRequest.TEXT_PAIR + "'; datatype BYTES");
        }
        if (request.getRawInputContentsCount() > 0 && request.getRawInputContentsCount() != request
                .getInputsCount()) {
            throw invalid("raw_input_contents must hold one entry per input, or none");
        }
        List<List<String>> inputs = new ArrayList<>();
        for (int i = 0; i < request.getInputsCount(); i++) {
            inputs.add(texts(request, i));
        }
        List<ServedText> texts;
        try {
            if (inputs.size() == 1) {
                texts = InferenceRequest.served(inputs.get(0), List.of());
            } else {
                String first = request.getInputs(0).getName();
                InferenceRequest.pairNames(first, request.getInputs(1).getName());
                boolean textFirst = InferenceRequest.TEXT.equals(first);
                if (inputs.get(0).size() != inputs.get(1).size()) {
                    throw invalid("'" + InferenceRequest.TEXT + "' and '" + InferenceRequest.TEXT_PAIR
                            + "' must hold as many texts: " + inputs.get(0).size() + " and " + inputs.get(1).size());
                }
                texts = InferenceRequest.served(inputs.get(textFirst ? 0 : 1), inputs.get(textFirst ? 1 : 0));
            }
        } catch (InferenceRequest.Invalid e) {
            throw invalid(e.getMessage());
        }
        if (texts.size() > config.maxTextsPerRequest()) {
            throw invalid(texts.size() + " texts, the limit is " + config.maxTextsPerRequest());
        }
        return texts;
    }

    private static List<String> texts(ModelInferRequest request, int index) {
        ModelInferRequest.InferInputTensor input = request.getInputs(index);
        if (!"BYTES".equals(input.getDatatype())) {
            throw invalid("input '" + input.getName() + "' must be BYTES (texts), not '" + input.getDatatype()
                    + "'");
        }
        List<Long> shape = input.getShapeList();
        if (shape.isEmpty() || shape.size() > 2 || shape.size() == 2 && shape.get(1) != 1 || shape.get(0) < 1) {
            throw invalid("input '" + input.getName() + "' must have shape [n] or [n, 1] with n >= 1, not "
                    + shape);
        }
        List<String> texts = new ArrayList<>();
        try {
            if (request.getRawInputContentsCount() > 0) {
                ByteBuffer raw = request.getRawInputContents(index).asReadOnlyByteBuffer();
                texts.addAll(InferenceRequest.fromBinary(raw, raw.remaining(), input.getName()));
            } else {
                input.getContents().getBytesContentsList().forEach(t -> texts.add(t.toStringUtf8()));
            }
        } catch (InferenceRequest.Invalid e) {
            throw invalid(e.getMessage());
        }
        if (texts.size() != shape.get(0)) {
            throw invalid("input '" + input.getName() + "' has shape " + shape + " but " + texts.size()
                    + " elements");
        }
        return texts;
    }

    private static Set<InferenceOutput> outputs(ModelInferRequest request) {
        Set<InferenceOutput> out = new LinkedHashSet<>();
        if (request.getOutputsCount() == 0) {
            out.addAll(List.of(InferenceOutput.values()));
        }
        for (ModelInferRequest.InferRequestedOutputTensor o : request.getOutputsList()) {
            out.add(InferenceOutput.named(o.getName()).orElseThrow(() -> invalid("unknown output '" + o.getName()
                    + "'; this model has " + InferenceOutput.names())));
        }
        return out;
    }

    /** The canary routing key, as the request's string parameter {@value #REQUEST_KEY}; null when none. */
    private static String requestKey(ModelInferRequest request) {
        InferParameter key = request.getParametersMap().get(REQUEST_KEY);
        return key == null || key.getStringParam().isBlank() ? null : key.getStringParam();
    }

    private Optional<ModelRecord> model(String task, String version) {
        return version.isEmpty() ? models.champion(task) : models.version(task, version);
    }

    private static ModelMetadataResponse.TensorMetadata tensor(String name, String datatype) {
        return ModelMetadataResponse.TensorMetadata.newBuilder().setName(name).setDatatype(datatype).addShape(-1)
                .build();
    }

    /** Runs {@code answer}, a refusal becoming the call's status. */
    private static <T> Uni<T> answer(Supplier<T> answer) {
        try {
            return Uni.createFrom().item(answer.get());
        } catch (StatusRuntimeException e) {
            return Uni.createFrom().failure(e);
        }
    }

    private static StatusRuntimeException notFound(String task, String version) {
        return Status.NOT_FOUND.withDescription(version.isEmpty()
                ? "model '" + task + "' has no version in service yet"
                : "model '" + task + "' has no registered version '" + version + "'").asRuntimeException();
    }

    private static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

}
