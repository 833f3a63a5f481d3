package io.finetide.ingestion;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.finetide.testing.Chromium;
import io.finetide.testing.FinetideTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The labeling page in a real browser: an annotator labels with the keyboard and the mouse, skips, and sees progress
 * and agreement. Screenshots are kept in {@code target/screenshots/}.
 */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class LabelingPageIT {

    static final Path SHOTS = Path.of("target", "screenshots");

    @TestHTTPResource("/label/index.html")
    URL page;

    @Test
    void anAnnotatorLabelsWithKeysAndClicksAndSeesAgreement() throws Exception {
        LabelingFlowIT.createTask("{\"name\":\"page\",\"labels\":[\"neg\",\"pos\"],\"labeling\":{\"quorum\":2}}");
        LabelingFlowIT.postExamples("page", List.of("p1", "p2", "p3"), List.of(
                "The staff were friendly and the room was spotless.", "Two hours on hold and nobody answered.",
                "The parcel came on Tuesday."));
        assertThat(LabelingFlowIT.label("page", "p1", "pos", "bob")).isEqualTo("voted");
        assertThat(LabelingFlowIT.label("page", "p2", "neg", "bob")).isEqualTo("voted");
        Files.createDirectories(SHOTS);

        try (Chromium browser = Chromium.launch(1280, 800)) {
            browser.navigate(page + "?task=page&annotator=alice");
            await().atMost(Chromium.patience()).until(() -> "The staff were friendly and the room was spotless."
                    .equals(browser.text("#text")));
            assertThat(browser.text("#buttons")).contains("1 · neg").contains("2 · pos");
            assertThat(browser.text("#order")).isEqualTo("oldest first");
            assertThat(browser.text("#hints")).contains("1 vote(s) so far");
            browser.screenshot(SHOTS.resolve("labeling-1-first-item.png"));

            // Key 2 is "pos": with Bob's vote the quorum of two is reached and the example is labelled.
            browser.press("2");
            await().atMost(Chromium.patience()).until(() -> "Two hours on hold and nobody answered.".equals(browser
                    .text("#text")));
            assertThat(browser.text("#status")).isEqualTo("p1: pos (labelled)");
            assertThat(outcomes("p1")).containsExactly("VOTED", "LABELLED");

            browser.eval("document.querySelector('#buttons button[data-label=neg]').click()");
            await().atMost(Chromium.patience()).until(() -> "The parcel came on Tuesday.".equals(browser.text(
                    "#text")));
            assertThat(outcomes("p2")).containsExactly("VOTED", "LABELLED");

            // Skipping the last item fetches the queue again: p3 is still the only one left for Alice.
            browser.press("s");
            await().atMost(Chromium.patience()).until(() -> "2".equals(browser.text("#p-labelled")));
            assertThat(browser.text("#text")).isEqualTo("The parcel came on Tuesday.");
            assertThat(outcomes("p3")).isEmpty();
            // Alice and Bob agree on both items they share: kappa 1.
            assertThat(browser.text("#p-fleiss")).isEqualTo("1.000 over 2 items");
            assertThat(browser.text("#p-pairs tbody")).contains("alice · bob").contains("1.000");
            assertThat(browser.text("#p-unlabelled")).isEqualTo("1");
            browser.screenshot(SHOTS.resolve("labeling-2-progress.png"));

            // A bad task name is explained, not a blank page.
            browser.navigate(page + "?task=nope&annotator=alice");
            await().atMost(Chromium.patience()).until(() -> {
                String error = browser.text("#error");
                return error != null && error.contains("UNKNOWN_TASK");
            });
            browser.screenshot(SHOTS.resolve("labeling-3-unknown-task.png"));
        }
        assertThat(SHOTS.resolve("labeling-2-progress.png")).isNotEmptyFile();
    }

    @Test
    void tokensAreTaggedBySelectingSpansWithTheMouseAndTypingATypeKey() throws Exception {
        LabelingFlowIT.createTask("{\"name\":\"page-ner\",\"type\":\"TOKEN_CLASSIFICATION\",\"labels\":"
                + "[\"person\",\"location\"]}");
        given().contentType("application/json").body("{\"id\":\"n1\",\"task\":\"page-ner\",\"tokens\":[\"Anna\","
                + "\"Maria\",\"visited\",\"New\",\"York\"]}").post("/api/v1/examples").then().statusCode(200);
        Files.createDirectories(SHOTS);
        try (Chromium browser = Chromium.launch(1280, 800)) {
            browser.navigate(page + "?task=page-ner&annotator=alice");
            await().atMost(Chromium.patience()).until(() -> browser.text("#text") != null && browser.text("#text")
                    .contains("Anna"));
            assertThat(browser.text("#buttons")).contains("1 · person").contains("2 · location").contains("0 · none");
            browser.click(".tok[data-i='0']", false);
            browser.click(".tok[data-i='1']", true);
            browser.press("1");
            browser.click(".tok[data-i='3']", false);
            browser.click(".tok[data-i='4']", true);
            browser.press("2");
            // A wrong tag is cleared again with 0.
            browser.click(".tok[data-i='2']", false);
            browser.press("1");
            browser.click(".tok[data-i='2']", false);
            browser.press("0");
            await().atMost(Chromium.patience()).until(() -> "I-location".equals(browser.eval(
                    "document.querySelector(\".tok[data-i='4']\").dataset.tag").asText()));
            browser.screenshot(SHOTS.resolve("labeling-4-token-spans.png"));
            browser.press("Enter");
            await().atMost(Chromium.patience()).until(() -> !outcomes("page-ner", "n1").isEmpty());
        }
        List<String> labels = given().get("/api/v1/tasks/page-ner/examples/n1/labels").jsonPath().getList("label");
        assertThat(labels).containsExactly("B-person I-person O B-location I-location");
        assertThat(outcomes("page-ner", "n1")).containsExactly("LABELLED");
    }

    private static List<String> outcomes(String task, String id) {
        return given().get("/api/v1/tasks/" + task + "/examples/" + id + "/labels").jsonPath().getList("outcome");
    }

    private static List<String> outcomes(String id) {
        return given().get("/api/v1/tasks/page/examples/" + id + "/labels").jsonPath().getList("outcome");
    }
}
