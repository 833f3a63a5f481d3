package io.finetide.platform.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.proto.v1.TaskDefinitionEvent;

class DirectoryTest {

    private static TaskDefinitionEvent definition(String name) {
        return TaskDefinitionEvent.newBuilder().setName(name).addLabels("a").addLabels("b").build();
    }

    /** The timeout only guards against the day-long wait the refusal must not take. */
    @Test
    @Timeout(60)
    void anEventOfATaskNobodyDefinedIsRefusedOnceTheDirectoryHasReadTheWholeTasksTopic() {
        Directory directory = new Directory();
        directory.define(definition("known"));
        AtomicInteger asked = new AtomicInteger();
        directory.followedBy(() -> {
            asked.incrementAndGet();
            return true;
        });
        assertThatThrownBy(() -> directory.awaitTask("fujz", Duration.ofDays(1))).isInstanceOfSatisfying(
                RejectedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ReasonCode.UNKNOWN_TASK);
                    assertThat(e.getMessage()).contains("'fujz'", "read to its end");
                });
        assertThat(asked).hasValue(1);
        assertThat(directory.awaitTask("known", Duration.ofDays(1)).getName()).isEqualTo("known");
        // A known task is answered without asking whether the directory has caught up (a question to the broker).
        assertThat(asked).hasValue(1);
    }

    @Test
    @Timeout(60)
    void aDefinitionTakenInWhileTheDirectoryCatchesUpIsFound() {
        Directory directory = new Directory();
        AtomicInteger asked = new AtomicInteger();
        directory.followedBy(() -> {
            // The definition arrives while the event waits: the directory was behind until it did.
            if (asked.incrementAndGet() == 2) {
                directory.define(definition("late"));
            }
            return asked.get() > 2;
        });
        assertThat(directory.awaitTask("late", Duration.ofDays(1)).getName()).isEqualTo("late");
        assertThat(asked).hasValue(2);
    }

    @Test
    void withoutKnowingItHasCaughtUpTheDirectoryWaitsTheWholeWaitThenRefuses() {
        Directory directory = new Directory();
        assertThatThrownBy(() -> directory.awaitTask("nobody", Duration.ZERO)).isInstanceOf(
                RejectedException.class).hasMessageContaining("no definition arrived within 0 s");
    }
}
