package io.finetide.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

import org.junit.jupiter.api.Test;

import io.finetide.platform.text.SimHash;

class SimHashTest {

    @Test
    void normalisingFoldsCasePunctuationWidthAndSpace() {
        assertThat(SimHash.normalise("  The FILM, was… ＧＲＥＡＴ!! ")).isEqualTo("the film was great");
        assertThat(SimHash.contentHash("The film was great.")).isEqualTo(SimHash.contentHash("the  FILM was great"));
        assertThat(SimHash.contentHash("The film was great.")).isNotEqualTo(SimHash.contentHash("The film was bad."));
    }

    @Test
    void nearDuplicatesAreCloseAndUnrelatedTextsAreFar() {
        String a = "the delivery arrived two days late and the box was damaged when it got here";
        String b = "the delivery arrived two days late and the box was badly damaged when it got here";
        String c = "i would like to change the billing address on my account please";
        assertThat(SimHash.distance(SimHash.of(a), SimHash.of(a.toUpperCase()))).isZero();
        assertThat(SimHash.distance(SimHash.of(a), SimHash.of(b))).isLessThanOrEqualTo(8);
        assertThat(SimHash.distance(SimHash.of(a), SimHash.of(c))).isGreaterThan(16);
    }

    @Test
    void theIndexFindsEveryFingerprintWithinTheDistanceAndNoneBeyond() {
        Random r = new Random(7);
        for (int k : new int[]{1, 3, 6}) {
            SimHash.Index index = new SimHash.Index(k);
            long base = r.nextLong();
            index.add(base, "base");
            for (int trial = 0; trial < 500; trial++) {
                long probe = base;
                int flips = r.nextInt(k + 4);
                for (int f = 0; f < flips; f++) {
                    probe ^= 1L << r.nextInt(64);
                }
                int d = SimHash.distance(base, probe);
                assertThat(index.nearest(probe)).as("k=%d d=%d", k, d).isEqualTo(d <= k ? "base" : null);
            }
        }
    }
}
