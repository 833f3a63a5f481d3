package io.finetide.ingestion;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

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

    public static class Secured implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("finetide.security.api-keys", ADMIN + "=admin," + PRODUCER + "=producer," + ANNOTATOR
                    + "=annotator", "quarkus.http.limits.max-body-size", "4K");
        }
    }

    @Test
    void keysAndRolesGuardTheApi() {
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
                "finetide_security_denied_total", "status", "401")).isEqualTo(2.0);
    }

    @Test
    void bodiesOverTheLimitAreRefused() {
        String big = "{\"id\":\"2\",\"task\":\"sec\",\"text\":\"" + "x".repeat(5000) + "\",\"label\":\"a\"}";
        given().header("X-API-Key", PRODUCER).contentType("application/json").body(big).post("/api/v1/examples")
                .then().statusCode(413);
    }
}
