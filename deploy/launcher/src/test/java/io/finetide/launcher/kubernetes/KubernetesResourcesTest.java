package io.finetide.launcher.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.finetide.platform.local.LocalPaths;
import io.finetide.platform.topics.Topics;

/**
 * The generated files under {@code k8s/} are what the code generates now (run with
 * {@code -Dfinetide.k8s.regenerate=true}, or {@code ./finetide k8s-resources}, to write them), and what they are
 * generated from says what the services do.
 */
class KubernetesResourcesTest {

    static final Path ROOT = LocalPaths.projectRoot();

    @Test
    void theCommittedFilesAreTheGeneratedOnes() throws Exception {
        if (Boolean.getBoolean("finetide.k8s.regenerate")) {
            KubernetesResources.write(ROOT);
        }
        for (Map.Entry<Path, String> file : KubernetesResources.generated(ROOT).entrySet()) {
            assertThat(Files.readString(ROOT.resolve(file.getKey()))).as(file.getKey()
                    + " is generated: run ./finetide k8s-resources").isEqualTo(file.getValue());
        }
    }

    @Test
    void everyTopicHasAKafkaTopicWithTheCodesConfiguration() {
        String yaml = StrimziResources.topics();
        for (String topic : Topics.ALL) {
            assertThat(yaml).contains("  topicName: " + topic + "\n");
        }
        assertThat(yaml.split("kind: KafkaTopic", -1)).hasSize(Topics.ALL.size() + 1);
        assertThat(yaml).contains("topicName: finetide.tasks\n  partitions: 6\n  replicas: 3\n  config:\n"
                + "    cleanup.policy: \"compact\"\n");
        assertThat(yaml).contains("topicName: finetide.deadletter\n  partitions: 6\n  replicas: 3\n  config:\n"
                + "    retention.ms: \"2592000000\"\n");
    }

    @Test
    void theChannelsAreReadFromEachServicesConfiguration() {
        Map<String, ServiceChannels> byName = ServiceChannels.all(ROOT).stream().collect(Collectors.toMap(
                ServiceChannels::name, d -> d));
        ServiceChannels ingestion = byName.get("ingestion");
        assertThat(ingestion.reads()).containsExactlyInAnyOrder(Topics.EXAMPLES_RAW, Topics.LABELS,
                Topics.EXAMPLES_SCORED, Topics.MODELS_PROMOTED, Topics.STUDIES_PROGRESS);
        assertThat(ingestion.writes()).contains(Topics.TASKS, Topics.EXAMPLES_LABELLED, Topics.DEAD_LETTER)
                .doesNotContain(Topics.MODELS_PROMOTED);
        assertThat(ingestion.groups()).contains("finetide-ingestion", "finetide-ingestion-promotions");
        assertThat(ingestion.transactionalIds()).containsExactlyInAnyOrder("finetide-ingestion-examples-raw-",
                "finetide-ingestion-labels-");
        assertThat(byName.get("training").transactionalIds()).isEmpty();
        assertThat(byName.get("evaluation").prefixes()).contains("finetide-evaluation-tasks-",
                "finetide-evaluation-champions-");
        assertThat(byName.get("operator").writes()).containsExactly(Topics.DEAD_LETTER);
        // Every topic is written by someone in the platform except those producers outside it write.
        List<String> written = byName.values().stream().flatMap(d -> d.writes().stream()).distinct().toList();
        assertThat(Topics.ALL).filteredOn(t -> !written.contains(t)).containsExactlyInAnyOrder(Topics.EXAMPLES_RAW,
                Topics.LABELS);
    }

    @Test
    void aUsersAclsAreExactlyItsChannels() {
        ServiceChannels training = ServiceChannels.all(ROOT).stream().filter(d -> d.name().equals("training"))
                .findFirst().orElseThrow();
        List<String> acls = StrimziResources.acls(training).stream().map(a -> a.type() + ":" + a.name() + ":" + a
                .pattern() + ":" + a.operations()).toList();
        assertThat(acls).containsExactlyInAnyOrder(
                "topic:finetide.datasets.snapshots:literal:[Read, Describe]",
                "topic:finetide.tasks:literal:[Read, Describe]",
                "topic:finetide.models.promoted:literal:[Read, Describe]",
                "topic:finetide.training.progress:literal:[Write, Describe]",
                "topic:finetide.models.trained:literal:[Write, Describe]",
                "topic:finetide.deadletter:literal:[Write, Describe]",
                "topic:finetide.studies.progress:literal:[Write, Describe]",
                // Trials and distillation requests are both handed out and taken by the training service.
                "topic:finetide.studies.trials:literal:[Read, Write, Describe]",
                "topic:finetide.distillations.requested:literal:[Read, Write, Describe]",
                "group:finetide-training:literal:[Read]",
                "group:finetide-training-trials:literal:[Read]",
                "group:finetide-training-distillations:literal:[Read]",
                // Unlabelled examples are kept for students; deleted examples leave that store.
                "topic:finetide.examples.unlabelled:literal:[Read, Describe]",
                "topic:finetide.examples.deleted:literal:[Read, Describe]",
                "group:finetide-training-unlabelled:literal:[Read]",
                "group:finetide-training-deletions:literal:[Read]",
                "group:finetide-training-tasks-:prefix:[Read]",
                "group:finetide-training-champions-:prefix:[Read]");
    }
}
