package io.finetide.deployment.openinference;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.deployment.api.GenerationRequests;
import io.finetide.deployment.serving.ServedModel;
import io.finetide.deployment.serving.ServingModels;
import io.finetide.model.generate.Decoding;
import io.finetide.model.generate.GenerationSettings;

/**
 * Triton's generate extension over a text-generation task's champion: the same checks, decoding and stop sequences
 * as {@code /api/v1/tasks/{task}/generate}, in the protocol's words ({@code text_input} in, {@code text_output} out,
 * {@code {"error": ...}} on refusal). A streamed answer is a {@code data:} chunk per piece of text as it is final, the
 * last one with an empty {@code text_output} and the {@code finish_reason}.
 */
@ApplicationScoped
class OpenInferenceGeneration {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ServingModels serving;

    Response answer(String task, byte[] body) {
        Parsed parsed = parse(body, false);
        if (parsed.refusal != null) {
            return parsed.refusal;
        }
        try {
            return serving.write(task, parsed.request.request().prompt(), parsed.settings, GenerationRequests.stops(
                    parsed.request.request()), piece -> {
                    }).map(w -> Response.ok(last(task, parsed, w, w.written().text())).type(
                            MediaType.APPLICATION_JSON).build())
                    .orElseGet(() -> notServed(task));
        } catch (ServedModel.WrongKindException e) {
            return wrongKind(task, e.served());
        }
    }

    Response stream(String task, byte[] body) {
        Parsed parsed = parse(body, true);
        if (parsed.refusal != null) {
            return parsed.refusal;
        }
        // Refused before the stream starts, with a status: the champion must exist and write completions.
        Optional<ServedModel.Kind> kind = serving.servedKind(task);
        Optional<ServingModels.InService> served = serving.inService(task);
        if (kind.isEmpty() || served.isEmpty()) {
            return notServed(task);
        }
        if (kind.get() != ServedModel.Kind.WRITES_COMPLETIONS) {
            return wrongKind(task, kind.get());
        }
        StreamingOutput events = out -> {
            try {
                Optional<ServingModels.Writing> w = serving.write(task, parsed.request.request().prompt(),
                        parsed.settings, GenerationRequests.stops(parsed.request.request()), piece -> send(out,
                                chunk(task, parsed, OpenInferenceModels.versionName(task, served.get()
                                        .modelId(), served.get().version()), piece)));
                send(out, w.<Object>map(written -> last(task, parsed, written, "")).orElseGet(() -> Map.of("error",
                        "model '" + task + "' left service")));
            } catch (ServedModel.WrongKindException e) {
                send(out, Map.of("error", OpenInferenceModels.wrongKind(task, e.served())));
            }
        };
        return Response.ok(events).type(MediaType.SERVER_SENT_EVENTS).header("Cache-Control", "no-cache").build();
    }

    private record Parsed(GenerateExtensionRequest request, GenerationSettings settings, Response refusal) {
    }

    private static Parsed parse(byte[] body, boolean streaming) {
        GenerateExtensionRequest request;
        try {
            request = GenerateExtensionRequest.parse(body == null ? new byte[0] : body);
        } catch (InferenceRequest.Invalid e) {
            return new Parsed(null, null, OpenInferenceResource.error(400, "MALFORMED_PAYLOAD", e.getMessage()));
        }
        Boolean stream = request.request().stream();
        if (stream != null && stream != streaming) {
            return new Parsed(null, null, OpenInferenceResource.error(400, "WRONG_ENDPOINT", streaming
                    ? "'stream': false asks for one answer: POST .../generate"
                    : "'stream': true asks for server-sent events: POST .../generate_stream"));
        }
        GenerationRequests.Checked checked = GenerationRequests.check(request.request(),
                GenerationRequests.Spelling.OPEN_INFERENCE);
        if (checked.refused()) {
            return new Parsed(null, null, OpenInferenceResource.error(400, checked.reason(), checked.message()));
        }
        return new Parsed(request, checked.settings(), null);
    }

    private static Map<String, Object> chunk(String task, Parsed parsed, String version, String text) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (parsed.request.id() != null) {
            out.put("id", parsed.request.id());
        }
        out.put("model_name", task);
        out.put("model_version", version);
        out.put(GenerateExtensionRequest.TEXT_OUTPUT, text);
        return out;
    }

    /** The whole answer, or a stream's last chunk: with why the text ended, its length, and a sampling seed. */
    private static Map<String, Object> last(String task, Parsed parsed, ServingModels.Writing w, String text) {
        Map<String, Object> out = chunk(task, parsed, OpenInferenceModels.versionName(task, w.modelId(), w
                .version()), text);
        out.put("finish_reason", w.written().finish().name());
        out.put("output_tokens", w.written().tokens());
        if (parsed.settings.decoding() == Decoding.SAMPLING) {
            out.put("seed", parsed.settings.seed());
        }
        return out;
    }

    private static void send(OutputStream out, Object data) {
        try {
            out.write(("data: " + JSON.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            // The client went away: the rest of the completion has nobody to go to.
            throw new UncheckedIOException(e);
        }
    }

    private static Response notServed(String task) {
        return OpenInferenceResource.error(404, "NO_CHAMPION", "model '" + task + "' has no version in service yet");
    }

    private static Response wrongKind(String task, ServedModel.Kind served) {
        return OpenInferenceResource.error(400, "WRONG_ENDPOINT", OpenInferenceModels.wrongKind(task, served));
    }
}
