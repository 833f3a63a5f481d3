package io.finetide.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.finetide.launcher.fuzz.FuzzCampaign;
import io.finetide.launcher.fuzz.FuzzReport;
import io.finetide.platform.local.LocalPaths;

/**
 * The fuzzing campaign, short: Schemathesis on every service's OpenAPI document, 40 generated calls to every
 * documented operation and 300 records into every topic, against the five services with API keys on; no 5xx, every
 * refusal with its reason, every consumer caught up, every service healthy. {@code ./finetide fuzz} runs the long one.
 */
class FuzzIT {

    @Test
    void noInputBreaksAPromise() throws Exception {
        Path root = LocalPaths.projectRoot();
        Path work = Files.createTempDirectory(root.resolve("integration-tests/target"), "fuzz-");
        FuzzReport report = new FuzzCampaign(new FuzzCampaign.Options(root, work, 40, 300, 15, 11), System.out::println)
                .run();
        System.out.println(report.table());
        // Every service's Schemathesis run, every operation, every topic but the dead-letter one, every health.
        assertThat(report.lines()).hasSizeGreaterThan(5 + 60 + 20 + 5);
        assertThat(report.lines()).filteredOn(l -> l.target().startsWith("schemathesis")).allSatisfy(l -> assertThat(l
                .inputs()).isGreaterThan(50));
        assertThat(report.failures()).as(report.table()).isEmpty();
    }
}
