package io.finetide.preprocessing.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.finetide.preprocessing.store.DatasetSnapshotRecord;
import io.finetide.proto.v1.RetentionSpec;

class RetentionTest {

    private static final long HOUR = 3_600_000L;

    /** Versions 1..n, version v created at v hours, the first {@code retired} already retired. */
    private static List<DatasetSnapshotRecord> snapshots(int n, int retired) {
        List<DatasetSnapshotRecord> out = new ArrayList<>();
        for (int v = 1; v <= n; v++) {
            out.add(new DatasetSnapshotRecord("t-v" + v, "t", v, "", v, v - 1, v, 1, 0, 0, 0, 0, 1, 0, 0, 0, "h", "a"
                    + v, "c", "tk", List.of(), List.of(), Map.of(), Map.of(), 0, List.of(), v * HOUR, v <= retired,
                    new DatasetSnapshotRecord.Length(64, false, 0, 0)));
        }
        return out;
    }

    private static List<String> retire(List<DatasetSnapshotRecord> all, Set<String> champion, int keep, long hours,
            long nowHours) {
        return SnapshotService.toRetire(all, champion, RetentionSpec.newBuilder().setKeep(keep).setMaxAgeHours(hours)
                .build(), nowHours * HOUR).stream().map(DatasetSnapshotRecord::id).toList();
    }

    @Test
    void byCountKeepsTheNewestTheChampionsAndKeepMore() {
        assertThat(retire(snapshots(6, 0), Set.of("t-v2"), 2, 0, 7)).containsExactly("t-v3", "t-v1");
        assertThat(retire(snapshots(6, 0), Set.of(), 2, 0, 7)).containsExactly("t-v3", "t-v2", "t-v1");
        // Already retired files are not removed twice.
        assertThat(retire(snapshots(6, 2), Set.of(), 2, 0, 7)).containsExactly("t-v3");
    }

    @Test
    void byAgeNeverTheNewestNorTheChampions() {
        // At hour 10 with a 5-hour limit: v1..v4 are older than 5 hours; v2 is the champion's.
        assertThat(retire(snapshots(6, 0), Set.of("t-v2"), 0, 5, 10)).containsExactly("t-v4", "t-v3", "t-v1");
        // Everything is old, but the newest stays.
        assertThat(retire(snapshots(3, 0), Set.of(), 0, 1, 100)).containsExactly("t-v2", "t-v1");
    }

    @Test
    void countAndAgeTogether() {
        assertThat(retire(snapshots(6, 0), Set.of(), 3, 3, 7)).containsExactly("t-v3", "t-v2", "t-v1");
        assertThat(retire(snapshots(6, 0), Set.of(), 1, 100, 7)).containsExactly("t-v4", "t-v3", "t-v2", "t-v1");
    }
}
