package io.finetide.launcher.fuzz;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Every operation of a service's OpenAPI document, called {@code inputs} times with drawn path and query values,
 * bodies and content types, mostly with an admin key (so that calls reach the code behind the key check), sometimes
 * with none or a wrong one. Each answer must be below 500 and, when it refuses, say why.
 */
final class HttpFuzz {

    static final String ADMIN_KEY = "fuzz-admin-key-0123456789";
    /** Presented one time in twenty: refused, and like the admin key never to be found in what the platform wrote. */
    static final String WRONG_KEY = "fuzz-wrong-key-9876543210";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> OTHER_TYPES = List.of("text/plain", "application/xml",
            "application/x-www-form-urlencoded", "application/json; charset=latin1", "");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final FuzzInputs.Draws draws;
    private final String task;
    private final Consumer<String> say;

    HttpFuzz(FuzzInputs.Draws draws, String task, Consumer<String> say) {
        this.draws = draws;
        this.task = task;
        this.say = say;
    }

    /** One line per operation of the service at {@code baseUrl}. */
    List<FuzzReport.Line> run(String service, String baseUrl, int inputs) throws IOException, InterruptedException {
        JsonNode document = JSON.readTree(send(HttpRequest.newBuilder(URI.create(baseUrl + "/q/openapi?format=json"))
                .GET().build()).body());
        List<FuzzReport.Line> lines = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext();) {
                Map.Entry<String, JsonNode> op = ops.next();
                lines.add(operation(service, baseUrl, path.getKey(), op.getKey(), op.getValue(), inputs));
            }
        }
        return lines;
    }

    private FuzzReport.Line operation(String service, String baseUrl, String path, String method, JsonNode op,
            int inputs) throws InterruptedException {
        FuzzReport.Tally tally = new FuzzReport.Tally(service + " " + method.toUpperCase() + " " + path);
        Gen<String> value = FuzzInputs.parameter(task);
        Map.Entry<String, JsonNode> content = op.path("requestBody").path("content").fields().hasNext()
                ? op.path("requestBody").path("content").fields().next()
                : null;
        JsonNode example = content == null ? null : content.getValue().at("/examples/example/value");
        if (example != null && example.isTextual()) {
            example = parse(example.asText());
        }
        Gen<byte[]> body = FuzzInputs.body(example == null || example.isMissingNode() ? null : example);
        Gen<Integer> auth = Generate.range(0, 19);
        Gen<String> otherType = Generate.pick(OTHER_TYPES);
        for (int i = 0; i < inputs; i++) {
            String url = baseUrl + fill(path, value) + query(op, value);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
            int who = draws.next(auth);
            if (who > 1) {
                request.header("X-API-Key", ADMIN_KEY);
            } else if (who == 1) {
                request.header("X-API-Key", WRONG_KEY);
            }
            byte[] sent = content == null && i % 4 != 0 ? null : draws.next(body);
            String type = content == null || i % 10 == 0 ? draws.next(otherType) : content.getKey();
            if (!type.isEmpty() && sent != null) {
                request.header("Content-Type", type);
            }
            request.method(method.toUpperCase(), sent == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(sent));
            try {
                HttpResponse<String> answer = send(request.build());
                tally.answered(answer.statusCode(), refusalWithoutReason(path, answer), () -> method.toUpperCase()
                        + " " + url + (sent == null ? "" : " with " + preview(sent)) + " -> " + answer.statusCode()
                        + " " + answer.body().substring(0, Math.min(200, answer.body().length())));
            } catch (IOException e) {
                tally.unanswered(method.toUpperCase() + " " + url + ": " + e);
            }
        }
        FuzzReport.Line line = tally.line();
        say.accept(line.toString());
        return line;
    }

    /**
     * The refusals HTTP/1.1's codec makes before any of the platform's code runs, a request line or headers longer
     * than it reads ({@code quarkus.http.limits}); their reason is their status line, and there is no hook to give them a
     * body. (Over HTTP/2 an over-long path reaches {@code UriLengthLimit}, which says why.)
     */
    static final java.util.Set<Integer> HTTP_SERVER_REFUSALS = java.util.Set.of(414, 431);

    /** A 4xx whose body does not say why (the Open Inference protocol says it as "error"). */
    static boolean refusalWithoutReason(String path, HttpResponse<String> answer) {
        if (answer.statusCode() < 400 || answer.statusCode() >= 500 || HTTP_SERVER_REFUSALS.contains(answer
                .statusCode())) {
            return false;
        }
        JsonNode body = parse(answer.body());
        if (body == null || !body.isObject()) {
            return true;
        }
        List<String> keys = path.equals("/v2") || path.startsWith("/v2/")
                ? List.of("error", "ready")
                : List.of(
                        "reason");
        return keys.stream().noneMatch(k -> body.hasNonNull(k) && !body.get(k).asText().isBlank() || k.equals(
                "ready") && body.has(k));
    }

    private String fill(String path, Gen<String> value) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int open = path.indexOf('{', at);
            if (open < 0) {
                return out.append(path.substring(at)).toString();
            }
            int close = path.indexOf('}', open);
            out.append(path, at, open).append(encode(draws.next(value)));
            at = close + 1;
        }
    }

    private String query(JsonNode op, Gen<String> value) {
        StringBuilder q = new StringBuilder();
        for (JsonNode p : op.path("parameters")) {
            if (p.path("in").asText().equals("query")) {
                q.append(q.isEmpty() ? "?" : "&").append(encode(p.path("name").asText())).append('=').append(encode(
                        draws.next(value)));
            }
        }
        return q.toString();
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String preview(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8);
        return body.length + " bytes '" + s + (body.length > 120 ? "...'" : "'");
    }

    static JsonNode parse(String s) {
        try {
            return s == null || s.isBlank() ? null : JSON.readTree(s);
        } catch (IOException e) {
            return null;
        }
    }
}
