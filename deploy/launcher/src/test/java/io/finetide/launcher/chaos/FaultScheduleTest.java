package io.finetide.launcher.chaos;

import static io.finetide.launcher.chaos.ChaosCampaign.Fault.KILL_INGESTION;
import static io.finetide.launcher.chaos.ChaosCampaign.Fault.KILL_PREPROCESSING;
import static io.finetide.launcher.chaos.ChaosCampaign.Fault.RESTART_BROKER;
import static io.finetide.launcher.chaos.ChaosCampaign.Fault.RESTART_STORE;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FaultScheduleTest {

    @Test
    void killsTakeTurnsAndTheBrokerAndStoreRestartBetweenThem() {
        assertThat(ChaosCampaign.Fault.schedule(2, true)).containsExactly(KILL_INGESTION, RESTART_BROKER,
                KILL_PREPROCESSING, RESTART_STORE);
        assertThat(ChaosCampaign.Fault.schedule(6, true)).containsExactly(KILL_INGESTION, RESTART_BROKER,
                KILL_PREPROCESSING, RESTART_STORE, KILL_INGESTION, KILL_PREPROCESSING, KILL_INGESTION,
                KILL_PREPROCESSING);
        assertThat(ChaosCampaign.Fault.schedule(0, true)).containsExactly(RESTART_BROKER, RESTART_STORE);
        assertThat(ChaosCampaign.Fault.schedule(3, false)).containsExactly(KILL_INGESTION, KILL_PREPROCESSING,
                KILL_INGESTION);
    }
}
