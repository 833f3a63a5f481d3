package io.finetide.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Headless Chromium (Debian's {@code chromium}) driven over the DevTools protocol with the JDK's own WebSocket: enough
 * to load a page, run script in it, press keys and take screenshots. The browser runs in a profile directory of its
 * own and is killed on close.
 */
public final class Chromium implements AutoCloseable {

    public static final Path BINARY = Path.of(System.getenv().getOrDefault("FINETIDE_CHROMIUM", "/usr/bin/chromium"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private Chromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    public static Chromium launch(int width, int height) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install Debian's chromium (./finetide tools does)");
        }
        Path profile = Files.createTempDirectory("finetide-chromium");
        Process p = new ProcessBuilder(BINARY.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-port=0", "--user-data-dir=" + profile,
                "--window-size=" + width + "," + height, "about:blank").redirectErrorStream(true).redirectOutput(
                        profile.resolve("chromium.log").toFile())
                .start();
        Path portFile = profile.resolve("DevToolsActivePort");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !p.isAlive() || (Files.exists(
                portFile) && Files.readAllLines(portFile).size() >= 2));
        if (!p.isAlive()) {
            throw new IllegalStateException("chromium did not start: " + Files.readString(profile.resolve(
                    "chromium.log")));
        }
        int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
        HttpClient http = HttpClient.newHttpClient();
        JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body());
        String pageSocket = null;
        for (JsonNode t : targets) {
            if ("page".equals(t.path("type").asText())) {
                pageSocket = t.path("webSocketDebuggerUrl").asText();
                break;
            }
        }
        if (pageSocket == null) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium has no page target: " + targets);
        }
        Chromium[] self = new Chromium[1];
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new WebSocket.Listener() {
            private final StringBuilder buffer = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                buffer.append(data);
                if (last) {
                    String message = buffer.toString();
                    buffer.setLength(0);
                    self[0].onMessage(message);
                }
                webSocket.request(1);
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        self[0] = new Chromium(p, profile, ws);
        return self[0];
    }

    private void onMessage(String message) {
        try {
            JsonNode node = JSON.readTree(message);
            if (node.has("id")) {
                CompletableFuture<JsonNode> f = pending.remove(node.get("id").asInt());
                if (f != null) {
                    if (node.has("error")) {
                        f.completeExceptionally(new IllegalStateException(node.get("error").toString()));
                    } else {
                        f.complete(node.get("result"));
                    }
                }
            }
        } catch (IOException e) {
            pending.values().forEach(f -> f.completeExceptionally(e));
        }
    }

    public JsonNode send(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        socket.sendText(JSON.writeValueAsString(Map.of("id", id, "method", method, "params", params)), true).get(10,
                TimeUnit.SECONDS);
        return f.get(30, TimeUnit.SECONDS);
    }

    public void navigate(String url) throws Exception {
        send("Page.enable", Map.of());
        send("Page.navigate", Map.of("url", url));
    }

    /** The value of a script expression (promises awaited), as JSON. */
    public JsonNode eval(String expression) throws Exception {
        JsonNode r = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise",
                true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("script failed: " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    public String text(String selector) throws Exception {
        JsonNode v = eval("(() => { const e = document.querySelector(" + JSON.writeValueAsString(selector)
                + "); return e ? e.textContent : null; })()");
        return v.isNull() || v.isMissingNode() ? null : v.asText();
    }

    /** A key press as a person makes it: key down (with its text) and key up. */
    public void press(String key) throws Exception {
        List<Map<String, Object>> events = new ArrayList<>();
        // Enter types a carriage return; its key code lets the page see a real Enter.
        events.add(key.equals("Enter")
                ? Map.of("type", "keyDown", "key", key, "code", key, "text", "\r", "windowsVirtualKeyCode", 13)
                : Map.of("type", "keyDown", "key", key, "text", key));
        events.add(Map.of("type", "keyUp", "key", key));
        for (Map<String, Object> e : events) {
            send("Input.dispatchKeyEvent", e);
        }
    }

    /** A real mouse click (pressed and released) at the element's centre, with shift held when asked. */
    public void click(String selector, boolean shift) throws Exception {
        JsonNode box = eval("(() => { const r = document.querySelector(" + JSON.writeValueAsString(selector)
                + ").getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()");
        for (String type : List.of("mousePressed", "mouseReleased")) {
            send("Input.dispatchMouseEvent", Map.of("type", type, "x", box.get("x").asDouble(), "y", box.get("y")
                    .asDouble(), "button", "left", "clickCount", 1, "modifiers", shift ? 8 : 0));
        }
    }

    public void screenshot(Path file) throws Exception {
        JsonNode r = send("Page.captureScreenshot", Map.of("format", "png"));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(r.get("data").asText()));
    }

    @Override
    public void close() throws Exception {
        socket.abort();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /** A screenshot as an image, for checking what was drawn where. */
    public java.awt.image.BufferedImage capture() throws Exception {
        JsonNode r = send("Page.captureScreenshot", Map.of("format", "png"));
        return javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(r.get("data")
                .asText())));
    }

    public static Duration patience() {
        return Duration.ofSeconds(30);
    }
}
