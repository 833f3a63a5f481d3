package io.finetide.ingestion;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.PrometheusText;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What the HTTP server refuses before any route runs, as the full-size fuzz run met it: every call is answered over
 * either protocol, and refusals of paths the API does not have leave no metric series of their own.
 */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class HttpLimitsTest {

    @TestHTTPResource("/")
    URI base;

    /** Java's client upgrades a cleartext connection to HTTP/2 (h2c) after its first call, as the fuzz run's did. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration
            .ofSeconds(5)).build();

    @Test
    void aLongPathOverHttp2GetsTheSame414AsOverHttp11WithItsReason() throws Exception {
        HttpResponse<String> first = get("/api/v1/tasks");
        assertThat(first.statusCode()).isEqualTo(200);
        for (int kilobytes : new int[]{9, 15, 24}) {
            // Before, Netty answered 431 with no body above the default 8 KB header list, and ended the connection
            // (GOAWAY: no answer at all) above 1.25 times it.
            HttpResponse<String> answer = get("/api/v1/tasks/" + "a%25".repeat(kilobytes * 256));
            assertThat(answer.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(answer.statusCode()).as(kilobytes + " KB").isEqualTo(414);
            assertThat(answer.body()).contains("\"reason\":\"URI_TOO_LONG\"").contains("4096");
        }
        // A path that fits is read by the API, over the same connection.
        HttpResponse<String> fits = get("/api/v1/tasks/" + "a".repeat(3000));
        assertThat(fits.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(fits.statusCode()).isEqualTo(404);
        assertThat(fits.body()).contains("\"reason\"");
        // HTTP/1.1's codec refuses the same request line itself.
        given().get("/api/v1/tasks/" + "a%25".repeat(9 * 256)).then().statusCode(414);
    }

    @Test
    void refusalsOfPathsTheApiDoesNotHaveShareOneUriTag() throws Exception {
        for (int i = 0; i < 3; i++) {
            // The path is the API's, the method or media type is not: the route's template is never known.
            given().patch("/api/v1/tasks/unrouted-" + i).then().statusCode(405);
            given().contentType("text/plain").body("x").put("/api/v1/tasks/unread-" + i).then().statusCode(415);
        }
        String metrics = given().get("/q/metrics").asString();
        assertThat(metrics).doesNotContain("unrouted-").doesNotContain("unread-");
        assertThat(PrometheusText.sum(metrics, "http_server_requests_seconds_count", "uri", "UNKNOWN", "status",
                "405")).isGreaterThanOrEqualTo(3);
        assertThat(PrometheusText.sum(metrics, "http_server_requests_seconds_count", "uri", "UNKNOWN", "status",
                "415")).isGreaterThanOrEqualTo(3);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration
                .ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
