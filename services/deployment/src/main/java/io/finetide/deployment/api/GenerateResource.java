package io.finetide.deployment.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
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

    /** The most new tokens a request may ask for, and the most stop sequences. */
    static final int MAX_NEW_TOKENS = 512;
    static final int MAX_STOPS = 8;
    static final int DEFAULT_NEW_TOKENS = 64;
    static final int DEFAULT_BEAM_WIDTH = 4;

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
        Refused refused = new Refused();
        GenerationSettings settings = settings(request, refused);
        if (refused.response != null) {
            return refused.response;
        }
        List<String> stops = request.stop() == null ? List.of() : request.stop();
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

    /** A refusal found while reading the request. */
    private static final class Refused {
        Response response;

        void set(String reason, String message) {
            if (response == null) {
                response = MeasuredRequests.error(400, reason, message);
            }
        }
    }

    private static GenerationSettings settings(GenerateRequest r, Refused refused) {
        if (r == null || r.prompt() == null || r.prompt().isBlank()) {
            refused.set("MISSING_FIELD", "'prompt' must be a non-blank string");
            return null;
        }
        Decoding decoding = Decoding.GREEDY;
        if (r.decoding() != null) {
            try {
                decoding = Decoding.valueOf(r.decoding().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                refused.set("MALFORMED_PAYLOAD", "'decoding' must be GREEDY, BEAM or SAMPLING");
                return null;
            }
        }
        int maxNew = r.maxNewTokens() == null ? DEFAULT_NEW_TOKENS : r.maxNewTokens();
        int width = r.beamWidth() == null ? (decoding == Decoding.BEAM ? DEFAULT_BEAM_WIDTH : 1) : r.beamWidth();
        double temperature = r.temperature() == null ? 1.0 : r.temperature();
        int topK = r.topK() == null ? 0 : r.topK();
        double topP = r.topP() == null ? 1.0 : r.topP();
        if (maxNew < 1 || maxNew > MAX_NEW_TOKENS) {
            refused.set("MALFORMED_PAYLOAD", "'maxNewTokens' must be in [1, " + MAX_NEW_TOKENS + "]");
        } else if (width < 1 || width > 16) {
            refused.set("MALFORMED_PAYLOAD", "'beamWidth' must be in [1, 16]");
        } else if (!(temperature > 0 && temperature <= 10)) {
            refused.set("MALFORMED_PAYLOAD", "'temperature' must be in (0, 10]");
        } else if (topK < 0) {
            refused.set("MALFORMED_PAYLOAD", "'topK' must be 0 (all tokens) or more");
        } else if (!(topP > 0 && topP <= 1)) {
            refused.set("MALFORMED_PAYLOAD", "'topP' must be in (0, 1]");
        } else if (r.stop() != null && (r.stop().size() > MAX_STOPS || r.stop().stream().anyMatch(s -> s == null || s
                .isEmpty()))) {
            refused.set("MALFORMED_PAYLOAD", "'stop' must hold at most " + MAX_STOPS + " non-empty strings");
        } else if (decoding != Decoding.SAMPLING && (r.temperature() != null || r.topK() != null || r.topP() != null
                || r.seed() != null)) {
            refused.set("MALFORMED_PAYLOAD", "'temperature', 'topK', 'topP' and 'seed' are for SAMPLING");
        } else if (decoding != Decoding.BEAM && r.beamWidth() != null) {
            refused.set("MALFORMED_PAYLOAD", "'beamWidth' is for BEAM");
        }
        if (refused.response != null) {
            return null;
        }
        long seed = r.seed() != null ? r.seed() : new java.security.SecureRandom().nextLong();
        return new GenerationSettings(decoding, maxNew, width, 1.0, temperature, topK, topP, seed);
    }

    private static Response noChampion(String task) {
        return MeasuredRequests.error(404, "NO_CHAMPION", "task '" + task + "' has no model in service yet");
    }

    private static Response wrongKind(String task, ServedModel.WrongKindException e) {
        return MeasuredRequests.error(409, "WRONG_ENDPOINT", "task '" + task + "' does not generate text: "
                + (e == null ? "POST /api/v1/tasks/" + task + "/predict or /tag" : e.getMessage()));
    }
}
