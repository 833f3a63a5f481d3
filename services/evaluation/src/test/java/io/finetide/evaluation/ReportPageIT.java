package io.finetide.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.awt.image.BufferedImage;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.proto.v1.EpochSummary;
import io.finetide.proto.v1.EvaluationSpec;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.testing.Chromium;
import io.finetide.testing.FinetideTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The model report page in a real browser: a first model promoted, a second judged against it; the page shows the
 * second's verdict with its four plots drawn. Screenshots are kept in {@code target/screenshots/}.
 */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class ReportPageIT {

    static final Path SHOTS = Path.of("target", "screenshots");

    @TestHTTPResource("/report/index.html")
    URL page;

    @Test
    void theReportShowsTheVerdictWithItsPlots() throws Exception {
        List<SnapshotFile.Row> rows = TinyClassifiers.branchRows("rp", 600, 10, 100, 21);
        ModelEvaluatedEvent second;
        try (GateFixture f = GateFixture.open("rp", EvaluationSpec.newBuilder().addSliceKeys("branch")
                .setSliceMinExamples(10).build(), rows)) {
            f.model("rp-m1", rows.subList(0, 200), SnapshotFile.Row::label, 1);
            f.model("rp-m2", SnapshotFile.Row::label, 2);
            f.trained(withHistory("rp-m1"));
            f.verdict("rp-m1");
            f.champion("rp-m1");
            f.trained(withHistory("rp-m2"));
            second = f.verdict("rp-m2");
        }
        assertThat(second.getChampionModelId()).isEqualTo("rp-m1");

        try (Chromium browser = Chromium.launch(1280, 900)) {
            browser.navigate(page + "?task=rp&model=rp-m2");
            await().atMost(Chromium.patience()).until(() -> browser.text("#decision") != null && !browser.text(
                    "#decision").isEmpty());
            assertThat(browser.text("#decision")).isEqualTo(second.getBlessed() ? "PROMOTED" : "REJECTED");
            assertThat(browser.text("#model-id")).isEqualTo("rp-m2");
            assertThat(browser.text("#deciding-rule")).isEqualTo(second.getReport().getDecidingRule().name());
            assertThat(count(browser, "#rules tbody tr")).isEqualTo(second.getReport().getRulesCount());
            assertThat(count(browser, "#slices tbody tr")).isEqualTo(second.getReport().getSlicesCount());
            // Two labels: a 2 x 2 heat map; ten reliability bins, empty ones not drawn; three curves over three
            // epochs; one point per verdict of the task.
            assertThat(count(browser, "#confusion rect.cell")).isEqualTo(4);
            assertThat(count(browser, "#reliability rect.bin")).isBetween(1, 10);
            assertThat(count(browser, "#curves polyline.curve")).isEqualTo(3);
            assertThat(count(browser, "#champions circle.point")).isEqualTo(2);
            // And they are drawn: in each plot's box on screen, enough pixels are coloured (not white or grey).
            for (String plot : List.of("#confusion", "#reliability", "#curves", "#champions")) {
                JsonNode box = browser.eval("(() => { const e = document.querySelector('" + plot + "'); "
                        + "e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect(); "
                        + "return {x: r.x, y: r.y, w: r.width, h: r.height}; })()");
                BufferedImage shot = browser.capture();
                long coloured = coloured(shot, box);
                assertThat(coloured).as("coloured pixels in %s", plot).isGreaterThan(plot.equals("#confusion")
                        ? (long) (0.3 * box.get("w").asDouble() * box.get("h").asDouble() * 0.3)
                        : 300);
            }
            browser.screenshot(SHOTS.resolve("report-rp-m2-history.png"));
            browser.eval("window.scrollTo(0, 0)");
            browser.screenshot(SHOTS.resolve("report-rp-m2-top.png"));
            browser.eval("document.querySelector('#calibration').scrollIntoView()");
            browser.screenshot(SHOTS.resolve("report-rp-m2-calibration.png"));
        }
    }

    private static int count(Chromium browser, String selector) throws Exception {
        return browser.eval("document.querySelectorAll('" + selector + "').length").asInt();
    }

    /** Pixels in the box that are neither near-white nor grey (saturated colour: the plots' fills and lines). */
    private static long coloured(BufferedImage img, JsonNode box) {
        long n = 0;
        int x0 = Math.max(0, (int) box.get("x").asDouble());
        int y0 = Math.max(0, (int) box.get("y").asDouble());
        int x1 = Math.min(img.getWidth(), x0 + (int) box.get("w").asDouble());
        int y1 = Math.min(img.getHeight(), y0 + (int) box.get("h").asDouble());
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 40) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The trained event with three epochs of training history, for the curves. */
    private static ModelTrainedEvent.Builder withHistory(String id) {
        ModelTrainedEvent.Builder b = ModelTrainedEvent.newBuilder().setModelId(id).setBestEpoch(3);
        for (int e = 1; e <= 3; e++) {
            b.addHistory(EpochSummary.newBuilder().setEpoch(e).setTrainLoss(0.7 / e).setValidationLoss(0.6 / e + 0.05)
                    .setValidationScore(0.6 + 0.1 * e));
        }
        return b;
    }
}
