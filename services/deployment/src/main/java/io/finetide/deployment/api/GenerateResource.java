package io.finetide.deployment.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.openapi.annotations.Operation;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.deployment.serving.ServedModel;
import io.finetide.deployment.serving.ServingModels;
import io.finetide.model.generate.Decoding;
import io.finetide.model.generate.GenerationSettings;
import io.finetide.runtime.security.Requires;
import io.smallrye.common.annotation.Blocking;

/**
 * Completions from a text-generation task's champion: greedy decoding, beam search or sampling, at most
 * {@code maxNewTokens}, cut before the first stop sequence; as one JSON answer, or with {@code "stream": true} as
 * server-sent events, a {@code piece} event per piece of text as soon as it is final and a {@code done} event with the
 * whole answer.
 */
@Requires
@Path("/api/v1/tasks/{task}")
@Blocking
public class GenerateResource {

    /**
     * @param decoding GREEDY (default), BEAM or SAMPLING
     * @param seed     sampling's seed; without one a seed is drawn and returned, so the answer can be had again
     */
    public record GenerateRequest(String prompt, Integer maxNewTokens, String decoding, Integer beamWidth,
            Double temperature, Integer topK, Double topP, Long seed, List<String> stop, Boolean stream) {
    }

    /** @param finish END_OF_TEXT, STOP or LENGTH */
    public record GenerateResponse(String task, String modelId, int version, String text, String finish,
            int tokens, String decoding, Long seed) {
    }

    /** A piece of the text as it is written (a stream's {@code piece} event). */
    public record Piece(String text) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ServingModels serving;

    @Inject
    MeasuredRequests requests;

    @Operation(summary = "Writes a completion of a prompt with a text-generation task's champion: greedy, beam search or sampling (temperature, top-k, top-p, seed), stop sequences, maxNewTokens; streamed as server-sent events with \"stream\": true")
    @POST
    @Path("/generate")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    public Response generate(@PathParam("task") String task, GenerateRequest request) {
        return requests.measured(task, "generate", 1, () -> answer(task, request));
    }

    private Response answer(String task, GenerateRequest request) {
        GenerationRequests.Checked checked = GenerationRequests.check(request, GenerationRequests.Spelling.FINETIDE);
        if (checked.refused()) {
            return MeasuredRequests.error(400, checked.reason(), checked.message());
        }
        GenerationSettings settings = checked.settings();
        List<String> stops = GenerationRequests.stops(request);
        Long seed = settings.decoding() == Decoding.SAMPLING ? settings.seed() : null;
        if (!Boolean.TRUE.equals(request.stream())) {
            try {
                return serving.write(task, request.prompt(), settings, stops, piece -> {
                }).map(w -> Response.ok(response(task, w, settings, seed)).type(MediaType.APPLICATION_JSON).build())
                        .orElseGet(() -> noChampion(task));
            } catch (ServedModel.WrongKindException e) {
                return wrongKind(task, e);
            }
        }
        // Refused before the stream starts: the champion must exist and write completions.
        Optional<ServedModel.Kind> kind = serving.servedKind(task);
        if (kind.isEmpty()) {
            return noChampion(task);
        }
        if (kind.get() != ServedModel.Kind.WRITES_COMPLETIONS) {
            return wrongKind(task, null);
        }
        StreamingOutput events = out -> {
            try {
                Optional<ServingModels.Writing> w = serving.write(task, request.prompt(), settings, stops,
                        piece -> send(out, "piece", new Piece(piece)));
                if (w.isPresent()) {
                    send(out, "done", response(task, w.get(), settings, seed));
                } else {
                    send(out, "error", new MeasuredRequests.Error("NO_CHAMPION", "the task's model left service"));
                }
            } catch (ServedModel.WrongKindException e) {
                send(out, "error", new MeasuredRequests.Error("WRONG_ENDPOINT", e.getMessage()));
            }
        };
        return Response.ok(events).type(MediaType.SERVER_SENT_EVENTS).header("Cache-Control", "no-cache").build();
    }

    private static void send(OutputStream out, String event, Object data) {
        try {
            out.write(("event: " + event + "\ndata: " + JSON.writeValueAsString(data) + "\n\n").getBytes(
                    StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // The client went away: the rest of the completion has nobody to go to.
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static GenerateResponse response(String task, ServingModels.Writing w, GenerationSettings settings,
            Long seed) {
        return new GenerateResponse(task, w.modelId(), w.version(), w.written().text(), w.written().finish().name(),
                w.written().tokens(), settings.decoding().name(), seed);
    }

    private static Response noChampion(String task) {
        return MeasuredRequests.error(404, "NO_CHAMPION", "task '" + task + "' has no model in service yet");
    }

    private static Response wrongKind(String task, ServedModel.WrongKindException e) {
        return MeasuredRequests.error(409, "WRONG_ENDPOINT", "task '" + task + "' does not generate text: "
                + (e == null ? "POST /api/v1/tasks/" + task + "/predict or /tag" : e.getMessage()));
    }
}
