package io.finetide.preprocessing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.events.Hashing;
import io.finetide.preprocessing.snapshot.SnapshotContent;
import io.finetide.preprocessing.store.DatasetSnapshotRecord;
import io.finetide.preprocessing.store.PreparedExampleRecord;
import io.finetide.proto.v1.Split;

class SnapshotContentTest {

    /** 100 examples: seq 1..100; every 10th is test (the first two of them golden), every 10th+5 validation. */
    private static List<PreparedExampleRecord> examples() {
        List<PreparedExampleRecord> out = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            Split split = i % 10 == 0 ? Split.TEST : i % 10 == 5 ? Split.VALIDATION : Split.TRAIN;
            boolean golden = split == Split.TEST && i <= 20;
            int tokens = i % 3 == 0 ? 40 : 10;
            out.add(new PreparedExampleRecord("t", String.format("e%03d", i), "raw " + i, "good movie " + i,
                    i % 4 == 0 ? "neg" : "pos", split.name(), golden, i, List.of(101, 102), tokens, false, i == 7
                            ? 1
                            : 0,
                    4, "c", "tk", "finetide.examples.labelled", i % 2, 1000 + i, 0));
        }
        return out;
    }

    private static SnapshotContent build(String id, long cut, long parentCut, double replay, int recent) {
        SnapshotContent c = new SnapshotContent(id, cut, parentCut, replay, recent);
        examples().forEach(c::offer);
        return c;
    }

    @Test
    void aFullSnapshotHoldsEverythingUpToItsCutWithStatisticsAndSources() {
        SnapshotContent c = build("t-v1", 60, 0, 0, 2);
        assertThat(c.train() + c.validation() + c.test()).isEqualTo(60);
        assertThat(c.test()).isEqualTo(6);
        assertThat(c.validation()).isEqualTo(6);
        assertThat(c.golden()).isEqualTo(2);
        assertThat(c.recent()).isEqualTo(2);
        assertThat(c.fresh()).isEqualTo(48);
        assertThat(c.replayed()).isZero();
        assertThat(c.incremental()).isFalse();
        // Recent = the newest two non-golden test examples (seq 50 and 60).
        assertThat(SnapshotFile.subset(c.rows(), SnapshotFile.RECENT)).extracting(SnapshotFile.Row::id)
                .containsExactlyInAnyOrder("e050", "e060");
        assertThat(SnapshotFile.subset(c.rows(), SnapshotFile.GOLDEN)).extracting(SnapshotFile.Row::id)
                .containsExactlyInAnyOrder("e010", "e020");
        assertThat(c.labelCounts()).containsEntry("TEST/neg", 3L).containsEntry("TEST/pos", 3L);
        assertThat(c.labelCounts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(60);
        assertThat(c.trainLengths()).containsEntry("9-16", 32L).containsEntry("33-64", 16L);
        assertThat(c.unknownTokenRate()).isEqualTo(1.0 / 240);
        assertThat(c.topNgrams()).startsWith("good:48", "movie:48");
        assertThat(c.sources()).containsExactly(new DatasetSnapshotRecord.Source("finetide.examples.labelled", 0, 1002,
                1060, 30), new DatasetSnapshotRecord.Source("finetide.examples.labelled", 1, 1001, 1059, 30));
    }

    @Test
    void anIncrementalSnapshotReplaysADeterministicSampleOfOlderTrainingExamples() {
        SnapshotContent c = build("t-v2", 100, 60, 0.25, 1000);
        assertThat(c.incremental()).isTrue();
        assertThat(c.fresh()).isEqualTo(32);
        assertThat(c.replayed()).isBetween(4L, 22L);
        assertThat(c.train()).isEqualTo(c.fresh() + c.replayed());
        // Validation and test stay whole, so that scores remain comparable.
        assertThat(c.validation()).isEqualTo(10);
        assertThat(c.test()).isEqualTo(10);
        SnapshotContent again = build("t-v2", 100, 60, 0.25, 1000);
        assertThat(again.file()).isEqualTo(c.file());
        assertThat(build("t-v3", 100, 60, 0.25, 1000).rows()).isNotEqualTo(c.rows());
    }

    @Test
    void materialisingAgainGivesTheSameBytesWhateverTheOrderOfOffers() {
        SnapshotContent a = build("t-v1", 80, 0, 0, 3);
        SnapshotContent b = new SnapshotContent("t-v1", 80, 0, 0, 3);
        examples().forEach(b::offer);
        assertThat(Hashing.sha256Hex(b.file())).isEqualTo(Hashing.sha256Hex(a.file()));
        assertThat(SnapshotFile.read(a.file())).containsExactlyInAnyOrderElementsOf(a.rows());
    }

    @Test
    void lengthBinsCoverEveryLength() {
        assertThat(SnapshotContent.lengthBins()).containsExactly("1-8", "9-16", "17-32", "33-64", "65-128", "129-256",
                "257+");
        assertThat(SnapshotContent.lengthBin(8)).isEqualTo("1-8");
        assertThat(SnapshotContent.lengthBin(9)).isEqualTo("9-16");
        assertThat(SnapshotContent.lengthBin(512)).isEqualTo("257+");
    }
}
