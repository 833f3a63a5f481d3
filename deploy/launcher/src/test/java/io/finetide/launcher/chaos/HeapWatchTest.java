package io.finetide.launcher.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class HeapWatchTest {

    @Test
    void theHeapIsTheSumOfItsPoolsAndAPoolWithoutALimitAddsNone() {
        String page = """
                # TYPE jvm_memory_used_bytes gauge
                jvm_memory_used_bytes{application="ingestion",area="heap",id="Eden Space"} 1.048576E7
                jvm_memory_used_bytes{application="ingestion",area="heap",id="Tenured Gen"} 2.097152E7
                jvm_memory_used_bytes{application="ingestion",area="nonheap",id="Metaspace"} 9.9E7
                jvm_memory_max_bytes{application="ingestion",area="heap",id="Eden Space"} 1.4E8
                jvm_memory_max_bytes{application="ingestion",area="heap",id="Tenured Gen"} 3.5E8
                jvm_memory_max_bytes{application="ingestion",area="heap",id="Survivor Space"} -1.0
                """;
        assertThat(HeapWatch.heap(page, "jvm_memory_used_bytes")).isEqualTo(31_457_280L);
        assertThat(HeapWatch.heap(page, "jvm_memory_max_bytes")).isEqualTo(490_000_000L);
    }

    @Test
    void theBurstIsHowMuchLongerTakingTheStreamTookThanSendingIt() {
        Load load = new Load(20_000, Duration.ofSeconds(4), Duration.ofSeconds(200), Map
                .of("ingestion", new HeapWatch.Peak(200L << 20, 512L << 20)), 0);
        assertThat(load.factor()).isEqualTo(50.0);
        Accounting a = new Accounting();
        load.into(a);
        assertThat(a.mismatches()).isEmpty();
        assertThat(a.notes()).anyMatch(n -> n.contains("a burst of 50.0x the sustained rate")).anyMatch(n -> n
                .contains("ingestion 200 of 512 MB"));
    }
}
