package io.finetide.operator.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.finetide.platform.local.LocalPaths;

/**
 * The committed CRD is what the Java types generate (run with {@code -Dfinetide.k8s.regenerate=true} to write it),
 * and its schema says what the task definition says.
 */
class FineTuningTaskCrdTest {

    static final Path FILE = LocalPaths.projectRoot().resolve("k8s/base/crd-finetuningtasks.yaml");
    static final String HEADER = "# Generated from the Java types by FineTuningTaskCrd (the spec from TaskDefinitionEvent's "
            + "protobuf descriptor);\n# FineTuningTaskCrdTest fails when this file differs: regenerate with "
            + "./finetide k8s-resources.\n";

    @Test
    void theCommittedCrdIsTheGeneratedOne() throws Exception {
        String generated = HEADER + Serialization.asYaml(FineTuningTaskCrd.definition()).replaceFirst("^---\n", "");
        if (Boolean.getBoolean("finetide.k8s.regenerate")) {
            Files.writeString(FILE, generated);
        }
        assertThat(Files.readString(FILE)).as("k8s/base/crd-finetuningtasks.yaml is generated: run ./finetide "
                + "k8s-resources").isEqualTo(generated);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSpecSchemaFollowsTheTaskDefinition() {
        Map<String, Object> spec = FineTuningTaskCrd.spec();
        Map<String, Object> properties = (Map<String, Object>) spec.get("properties");
        assertThat(properties).containsKeys("type", "labels", "model", "hyperParameters", "promotionMargin",
                "privacy").doesNotContainKeys("name", "revision", "meta", "createdAtMs");
        assertThat(properties.get("labels")).isEqualTo(Map.of("type", "array", "items", Map.of("type", "string")));
        Map<String, Object> type = (Map<String, Object>) properties.get("type");
        assertThat((List<String>) type.get("enum")).contains("TEXT_CLASSIFICATION", "TOKEN_CLASSIFICATION")
                .noneMatch(v -> v.endsWith("_UNSPECIFIED"));
        Map<String, Object> hyper = (Map<String, Object>) ((Map<String, Object>) properties.get("hyperParameters"))
                .get("properties");
        assertThat(hyper.get("learningRate")).isEqualTo(Map.of("type", "number"));
        assertThat(hyper.get("epochs")).isEqualTo(Map.of("type", "integer", "format", "int32"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theStatusSchemaFollowsTheStatusRecord() {
        Map<String, Object> status = FineTuningTaskCrd.schemaOf(FineTuningTaskStatus.class);
        Map<String, Object> properties = (Map<String, Object>) status.get("properties");
        assertThat(properties).containsOnlyKeys("observedGeneration", "revision", "champion", "lastSnapshot",
                "lastPromotionTime", "conditions");
        Map<String, Object> conditions = (Map<String, Object>) properties.get("conditions");
        assertThat(conditions.get("type")).isEqualTo("array");
        assertThat((Map<String, Object>) ((Map<String, Object>) conditions.get("items")).get("properties"))
                .containsOnlyKeys("type", "status", "reason", "message", "lastTransitionTime");
    }
}
