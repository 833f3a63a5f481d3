package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.finetide.model.privacy.DpSgd;
import io.finetide.model.train.TrainingConfig;

/** Long sequences are trained in smaller passes that make the same updates (TrainingConfig.withinTokens). */
class TokensPerPassTest {

    private static final int TOKENS = TrainingConfig.TOKENS_PER_PASS;

    @Test
    void aBatchOfLongExamplesIsSplitIntoMicroBatchesOfTheSameUpdate() {
        TrainingConfig tc = TrainingConfig.builder().batchSize(32).build();
        TrainingConfig at256 = tc.withinTokens(256, TOKENS);
        assertThat(at256.batchSize()).isEqualTo(8);
        assertThat(at256.accumulationSteps()).isEqualTo(4);
        assertThat(tc.withinTokens(512, TOKENS).batchSize()).isEqualTo(4);
        assertThat(tc.withinTokens(512, TOKENS).accumulationSteps()).isEqualTo(8);
        assertThat(tc.withinTokens(100, TOKENS).batchSize()).isEqualTo(16);
        // What the default holds stays as it is.
        assertThat(tc.withinTokens(64, TOKENS)).isSameAs(tc);
    }

    @Test
    void accumulationAskedForIsKeptAndOnlyEvenSplitsAreMade() {
        TrainingConfig asked = TrainingConfig.builder().batchSize(16).accumulationSteps(2).build();
        TrainingConfig split = asked.withinTokens(256, TOKENS);
        assertThat(split.batchSize() * split.accumulationSteps()).isEqualTo(32);
        assertThat(split.batchSize()).isEqualTo(8);
        TrainingConfig odd = TrainingConfig.builder().batchSize(12).build().withinTokens(512, TOKENS);
        assertThat(odd.batchSize()).isEqualTo(3);
        assertThat(odd.accumulationSteps()).isEqualTo(4);
        TrainingConfig prime = TrainingConfig.builder().batchSize(7).build();
        assertThat(prime.withinTokens(512, TOKENS)).isSameAs(prime);
    }

    @Test
    void aDpSgdRunIsLeftToItsOwnPieces() {
        TrainingConfig tc = TrainingConfig.builder().batchSize(32).privacy(new DpSgd(1, 1, 1)).build();
        assertThat(tc.withinTokens(256, TOKENS)).isSameAs(tc);
    }
}
