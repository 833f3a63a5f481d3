package io.finetide.ingestion;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finetide.platform.security.ApiKeys;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.PrometheusText;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(SecurityTest.Secured.class)
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class SecurityTest {

    static final String ADMIN = "admin-key-0123456789";
    static final String PRODUCER = "producer-key-0123456789";
    static final String ANNOTATOR = "annotator-key-0123456789";

    static final String ANNA = "anna-key-0123456789";
    static final String ANNA_ROTATED = "anna-key-rotated-0123456789";
    static final String TICKET_BOT = "ticket-bot-key-0123456789";
    static final String LENA = "ops-lena-key-0123456789";
    /** People and services with keys of their own, hashed, in a key file the service reads again when it changes. */
    static final Path KEY_FILE = keyFile();

    static Path keyFile() {
        try {
            Path f = Files.createTempFile("finetide-keys", ".txt");
            f.toFile().deleteOnExit();
            Files.writeString(f, people(ANNA));
            return f;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String people(String annasKey) {
        return "anna annotator " + ApiKeys.hash(annasKey) + "\nticket-bot producer+annotator " + ApiKeys.hash(
                TICKET_BOT) + " tasks=tickets\nops-lena admin " + ApiKeys.hash(LENA) + "\n";
    }

    public static class Secured implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("finetide.security.api-keys", ADMIN + "=admin," + PRODUCER + "=producer," + ANNOTATOR
                    + "=annotator", "finetide.security.api-keys-file", KEY_FILE.toString(),
                    "quarkus.http.limits.max-body-size", "4K");
        }
    }

    @Test
    void keysAndRolesGuardTheApi() {
        double deniedBefore = PrometheusText.sum(given().get("/q/metrics").asString(), "finetide_security_denied_total",
                "status", "401");
        given().get("/api/v1/tasks").then().statusCode(401).header("WWW-Authenticate", "Bearer").body("reason",
                equalTo("UNAUTHENTICATED"));
        given().header("Authorization", "Bearer not-a-key-at-all").get("/api/v1/tasks").then().statusCode(401);
        String task = "{\"name\":\"sec\",\"labels\":[\"a\",\"b\"]}";
        given().header("X-API-Key", PRODUCER).contentType("application/json").body(task).post("/api/v1/tasks").then()
                .statusCode(403).body("reason", equalTo("FORBIDDEN")).body("message", containsString("ADMIN"));
        given().header("Authorization", "Bearer " + ADMIN).contentType("application/json").body(task).post(
                "/api/v1/tasks").then().statusCode(201);
        given().header("X-API-Key", ANNOTATOR).get("/api/v1/tasks/sec").then().statusCode(200);

        String example = "{\"id\":\"1\",\"task\":\"sec\",\"text\":\"hello\",\"label\":\"a\"}";
        given().header("X-API-Key", PRODUCER).contentType("application/json").body(example).post("/api/v1/examples")
                .then().statusCode(200);
        given().header("X-API-Key", ANNOTATOR).contentType("application/json").body(example).post("/api/v1/examples")
                .then().statusCode(403);
        given().header("X-API-Key", PRODUCER).contentType("application/json").body("{}").post(
                "/api/v1/tasks/sec/examples/deletions").then().statusCode(403);
        // Annotators read the queue and label; managing rules and adjudicating is for admins. The page is open.
        given().header("X-API-Key", ANNOTATOR).get("/api/v1/tasks/sec/queue").then().statusCode(200);
        given().header("X-API-Key", PRODUCER).get("/api/v1/tasks/sec/queue").then().statusCode(403);
        given().header("X-API-Key", ANNOTATOR).contentType("application/json").body(
                "{\"kind\":\"keywords\",\"patterns\":[\"x\"],\"label\":\"a\"}").put(
                        "/api/v1/tasks/sec/labeling-functions/x")
                .then().statusCode(403);
        given().header("X-API-Key", ANNOTATOR).contentType("application/json").body("{\"id\":\"1\",\"label\":\"a\"}")
                .post("/api/v1/tasks/sec/adjudications").then().statusCode(403);
        given().header("X-API-Key", ADMIN).contentType("application/json").body(
                "{\"kind\":\"keywords\",\"patterns\":[\"x\"],\"label\":\"a\"}").put(
                        "/api/v1/tasks/sec/labeling-functions/x")
                .then().statusCode(201);
        given().get("/label/index.html").then().statusCode(200).body(containsString("Finetide labeling"));
        // Health and metrics stay open for probes and Prometheus.
        given().get("/q/health/live").then().statusCode(200);
        assertThat(PrometheusText.sum(given().get("/q/metrics").then().statusCode(200).extract().asString(),
                "finetide_security_denied_total", "status", "401") - deniedBefore).isEqualTo(2.0);
    }

    /**
     * A key names its holder: labels are theirs (not a self-declared name), a key limited to some tasks is refused
     * everywhere else, and a key is rotated by editing the key file, without a restart.
     */
    @Test
    void aKeyNamesItsHolderIsLimitedToItsTasksAndIsRotatedWithoutARestart() throws Exception {
        for (String name : List.of("tickets", "loans")) {
            given().header("X-API-Key", ADMIN).contentType("application/json").body("{\"name\":\"" + name
                    + "\",\"labels\":[\"a\",\"b\"]}").post("/api/v1/tasks").then().statusCode(201);
        }
        // The ticket bot sends and labels for its own task only: REST bodies, paths and lists alike.
        String ticket = "{\"id\":\"t1\",\"task\":\"tickets\",\"text\":\"printer on fire\"}";
        given().header("X-API-Key", TICKET_BOT).contentType("application/json").body(ticket).post("/api/v1/examples")
                .then().statusCode(200);
        given().header("X-API-Key", TICKET_BOT).contentType("application/json").body(ticket.replace("tickets",
                "loans")).post("/api/v1/examples").then().statusCode(403).body("reason", equalTo("TASK_NOT_ALLOWED"));
        given().header("X-API-Key", TICKET_BOT).get("/api/v1/tasks/loans/queue").then().statusCode(403).body(
                "reason", equalTo("TASK_NOT_ALLOWED"));
        given().header("X-API-Key", TICKET_BOT).get("/api/v1/tasks/tickets/queue").then().statusCode(200);
        given().header("X-API-Key", TICKET_BOT).get("/api/v1/tasks/loans").then().statusCode(403);
        given().header("X-API-Key", TICKET_BOT).get("/api/v1/tasks").then().statusCode(200).body("name", contains(
                "tickets"));
        given().header("X-API-Key", TICKET_BOT).contentType("application/json").body(
                "{\"task\":\"loans\",\"id\":\"t1\",\"label\":\"a\"}").post("/api/v1/labels").then()
                .statusCode(403).body("reason", equalTo("TASK_NOT_ALLOWED"));

        // Anna labels as anna, whatever the label says; naming someone else is refused.
        given().header("X-API-Key", ANNA).contentType("application/json").body(
                "{\"task\":\"tickets\",\"id\":\"t1\",\"label\":\"a\",\"annotator\":\"bob\"}").post(
                        "/api/v1/labels")
                .then().statusCode(403).body("reason", equalTo("ANNOTATOR_NOT_CALLER"));
        given().header("X-API-Key", ANNA).contentType("application/json").body(
                "{\"task\":\"tickets\",\"id\":\"t1\",\"label\":\"a\"}").post("/api/v1/labels").then()
                .statusCode(200);
        given().header("X-API-Key", ADMIN).get("/api/v1/tasks/tickets/examples/t1/labels").then().statusCode(200)
                .body("annotator", contains("anna"));

        // Rotation: anna's new key replaces the old one in the file; the service notices within a second or so.
        Files.writeString(KEY_FILE, people(ANNA_ROTATED));
        await().atMost(Duration.ofSeconds(30)).until(() -> given().header("X-API-Key", ANNA).get(
                "/api/v1/tasks/tickets").statusCode() == 401);
        given().header("X-API-Key", ANNA_ROTATED).get("/api/v1/tasks/tickets").then().statusCode(200);
    }

    /**
     * No key, good or bad, shows up in what the service writes: log records (captured from the root logger while
     * calls with good, wrong and refused keys are made), error bodies and metrics.
     */
    @Test
    void keysNeverAppearInLogsErrorBodiesOrMetrics() throws Exception {
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(r.getMessage() + " " + java.util.Arrays.toString(r.getParameters()) + " " + (r
                        .getThrown() == null ? "" : r.getThrown().toString()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        String wrong = "wrong-key-but-long-enough-0123";
        String inBrokenFile = "a-key-in-clear-in-a-broken-file";
        List<String> bodies = new ArrayList<>();
        String keyFile = Files.readString(KEY_FILE);
        try {
            // A key file edited wrongly: the service logs why it keeps the keys it had, without the key.
            Files.writeString(KEY_FILE, keyFile + inBrokenFile + "=boss\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                given().header("X-API-Key", ADMIN).get("/api/v1/tasks").then().statusCode(200);
                return logged.stream().anyMatch(l -> l.contains("keys stay as they were"));
            });
            bodies.add(given().header("X-API-Key", wrong).get("/api/v1/tasks").then().statusCode(401).extract()
                    .asString());
            bodies.add(given().header("Authorization", "Bearer " + TICKET_BOT).get("/api/v1/tasks/none-of-its")
                    .then().statusCode(403).extract().asString());
            bodies.add(given().header("X-API-Key", PRODUCER).contentType("application/json").body("{}").post(
                    "/api/v1/tasks").then().statusCode(403).extract().asString());
            bodies.add(given().header("X-API-Key", ADMIN).contentType("application/json").body("{\"name\":"
                    + "\"x\",\"labels\":[]}").post("/api/v1/tasks").then().statusCode(422).extract().asString());
            bodies.add(given().header("X-API-Key", PRODUCER).contentType("application/json").body("{\"id\":"
                    + "\"1\",\"task\":\"nope\",\"text\":\"t\"}").post("/api/v1/examples").then().extract()
                    .asString());
        } finally {
            root.removeHandler(capture);
            Files.writeString(KEY_FILE, keyFile);
        }
        bodies.add(given().get("/q/metrics").asString());
        for (String key : List.of(ADMIN, PRODUCER, ANNOTATOR, ANNA, ANNA_ROTATED, TICKET_BOT, wrong, inBrokenFile)) {
            assertThat(logged).noneMatch(l -> l.contains(key));
            assertThat(bodies).noneMatch(b -> b.contains(key));
        }
    }

    /** Who did what to which task, when, why and with what outcome: refused attempts included. */
    @Test
    void administrativeCallsAreAuditedWithWhoWhatAndWhy() {
        long start = System.currentTimeMillis();
        given().header("X-API-Key", LENA).contentType("application/json").body(
                "{\"name\":\"audited\",\"labels\":[\"a\",\"b\"]}").post("/api/v1/tasks").then().statusCode(201);
        given().header("X-API-Key", LENA).contentType("application/json").body(
                "{\"ids\":[\"x\"],\"reason\":\"subject's request of 2026-12-01\"}").post(
                        "/api/v1/tasks/audited/examples/deletions")
                .then().statusCode(200);
        given().header("X-API-Key", PRODUCER).contentType("application/json").body("{\"name\":\"mine\"}").post(
                "/api/v1/tasks").then().statusCode(403);
        // Reading and sending examples are not administrative: not in the log.
        given().header("X-API-Key", LENA).get("/api/v1/tasks/audited").then().statusCode(200);

        given().header("X-API-Key", ADMIN).queryParam("actor", "ops-lena").queryParam("since", start).get(
                "/api/v1/audit").then().statusCode(200).body("action", contains(
                        "POST /api/v1/tasks/audited/examples/deletions", "POST /api/v1/tasks"))
                .body("task", contains("audited", "")).body("reason", contains("subject's request of 2026-12-01", ""))
                .body("status", contains(200, 201));
        String producer = "key-" + ApiKeys.hash(PRODUCER).substring(7, 15);
        given().header("X-API-Key", ADMIN).queryParam("actor", producer).queryParam("since", start).get(
                "/api/v1/audit").then().statusCode(200).body("action", contains("POST /api/v1/tasks")).body(
                        "status", contains(403));
        given().header("X-API-Key", PRODUCER).get("/api/v1/audit").then().statusCode(403);
        given().header("X-API-Key", TICKET_BOT).get("/api/v1/audit").then().statusCode(403);
    }

    @Test
    void bodiesOverTheLimitAreRefused() {
        String big = "{\"id\":\"2\",\"task\":\"sec\",\"text\":\"" + "x".repeat(5000) + "\",\"label\":\"a\"}";
        given().header("X-API-Key", PRODUCER).contentType("application/json").body(big).post("/api/v1/examples")
                .then().statusCode(413);
    }
}
