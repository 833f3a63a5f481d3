package io.finetide.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.finetide.launcher.chaos.Accounting;
import io.finetide.launcher.chaos.ChaosCampaign;
import io.finetide.platform.local.LocalPaths;

/**
 * The fault campaign, short: 3,000 records with ingestion and then preprocessing killed with SIGKILL mid-stream
 * (two instances of each, and of deployment, in their groups), the broker killed and started again, the store stopped
 * and started again; then the snapshots through training, evaluation and deployment, each killed once with work in
 * hand. Every line of the accounting must match. {@code ./finetide chaos} runs the long one.
 */
class ChaosIT {

    @Test
    void everyRecordMeetsItsFateOnceThroughKills() throws Exception {
        Path root = LocalPaths.projectRoot();
        Path work = Files.createTempDirectory(root.resolve("integration-tests/target"), "chaos-");
        Accounting a = new ChaosCampaign(new ChaosCampaign.Options(root, work, root.resolve(
                "../shared/datasets/sst2-sentences/stsa.binary.train").normalize(), 3000, 7, 2, true),
                System.out::println)
                .run();
        System.out.println(a.table());
        assertThat(a.lines()).hasSizeGreaterThanOrEqualTo(10);
        assertThat(a.mismatches()).as(a.table()).isEmpty();
    }
}
