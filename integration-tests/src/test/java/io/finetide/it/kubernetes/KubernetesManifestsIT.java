package io.finetide.it.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.finetide.launcher.kubernetes.KubeApiServer;
import io.finetide.launcher.kubernetes.Kubectl;
import io.finetide.launcher.kubernetes.ServiceChannels;
import io.finetide.platform.local.LocalPaths;
import io.finetide.platform.topics.Topics;

/**
 * Every overlay under {@code k8s/overlays} against a real kube-apiserver (with etcd): checked by the server with
 * {@code kubectl apply --server-side --dry-run=server -k} (schemas of built-in kinds and of the Strimzi, Prometheus
 * Operator and KEDA CRDs, unknown fields refused) and then applied for real. No pod runs (there is no kubelet): what
 * is proven is that the cluster accepts the manifests as written.
 */
class KubernetesManifestsIT {

    static final Path ROOT = LocalPaths.projectRoot();
    static final List<String> OVERLAYS = List.of("dev", "production", "gpu", "monitoring", "keda");

    static KubeApiServer server;
    static Kubectl kubectl;

    @BeforeAll
    static void startApiServer() throws Exception {
        Path work = Files.createTempDirectory(ROOT.resolve("integration-tests/target"), "k8s-manifests-");
        server = KubeApiServer.start(ROOT, work);
        kubectl = new Kubectl(server.kubeconfig(), ROOT);
        kubectl.ok("apply", "--server-side", "-R", "-f", "k8s/third-party/crds");
        // A CRD the server has not given a status yet fails the wait at once ("conditions accessor error") rather than
        // being waited for: ask again until every one is established.
        Kubectl.Result established = kubectl.run("wait", "--for", "condition=Established", "--timeout=60s", "crd",
                "--all");
        for (int attempt = 1; !established.ok() && attempt < 10; attempt++) {
            established = kubectl.run("wait", "--for", "condition=Established", "--timeout=60s", "crd", "--all");
        }
        assertThat(established.ok()).as(established.output()).isTrue();
        // A namespace created by a dry run is not there for the objects after it: create them first.
        kubectl.ok("create", "namespace", "finetide");
        kubectl.ok("create", "namespace", "finetide-dev");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyOverlayIsAcceptedByTheServerAndApplied() {
        for (String overlay : OVERLAYS) {
            String dir = "k8s/overlays/" + overlay;
            Kubectl.Result dryRun = kubectl.run("apply", "--server-side", "--dry-run=server", "-k", dir);
            assertThat(dryRun.ok()).as(overlay + " (dry run):\n" + dryRun.output()).isTrue();
            Kubectl.Result applied = kubectl.run("apply", "--server-side", "--force-conflicts", "-k", dir);
            assertThat(applied.ok()).as(overlay + ":\n" + applied.output()).isTrue();
            if (overlay.equals("gpu")) {
                // Applied over production by the same field manager: the next overlay takes it away again.
                assertThat(kubectl.ok("get", "deployment", "finetide-training", "-n", "finetide", "-o",
                        "jsonpath={.spec.template.spec.containers[0].resources.limits.nvidia\\.com/gpu}").strip())
                        .isEqualTo(
                                "1");
            }
        }
        // What the production overlay declared is there: a topic per Topics.ALL, a user per deployable, the CRD.
        assertThat(kubectl.ok("get", "kafkatopics", "-n", "finetide", "-o", "name").lines()).hasSize(Topics.ALL
                .size());
        assertThat(kubectl.ok("get", "kafkausers", "-n", "finetide", "-o", "name").lines()).hasSize(
                ServiceChannels.DEPLOYABLES.size());
        assertThat(kubectl.ok("get", "deployments", "-n", "finetide", "-o", "name").lines()).hasSize(6);
        assertThat(kubectl.ok("get", "crd", "finetuningtasks.finetide.io", "-o", "name")).isNotBlank();
        assertThat(kubectl.ok("get", "scaledobjects", "-n", "finetide", "-o", "name").lines()).hasSize(3);
        assertThat(kubectl.ok("get", "servicemonitors,prometheusrules", "-n", "finetide", "-o", "name").lines())
                .hasSize(2);
        // Production serves HTTPS only: every deployable from Secret finetide-tls, probed over HTTPS; the operator calls
        // ingestion by https:// trusting the authority; Prometheus scrapes over HTTPS.
        for (String deployable : List.of("ingestion", "preprocessing", "training", "evaluation", "deployment",
                "operator")) {
            assertThat(kubectl.ok("get", "deployment", "finetide-" + deployable, "-n", "finetide", "-o",
                    "jsonpath={.spec.template.spec.containers[0].readinessProbe.httpGet.scheme} "
                            + "{.spec.template.spec.containers[0].env[?(@.name=='QUARKUS_HTTP_INSECURE_REQUESTS')].value} "
                            + "{.spec.template.spec.volumes[?(@.name=='tls')].secret.secretName}")
                    .strip())
                    .as(deployable)
                    .isEqualTo("HTTPS disabled finetide-tls");
        }
        assertThat(kubectl.ok("get", "deployment", "finetide-operator", "-n", "finetide", "-o",
                "jsonpath={.spec.template.spec.containers[0].env[?(@.name=='FINETIDE_OPERATOR_INGESTION_URL')].value}")
                .strip()).isEqualTo("https://finetide-ingestion:8091");
        assertThat(kubectl.ok("get", "servicemonitor", "finetide", "-n", "finetide", "-o",
                "jsonpath={.spec.endpoints[0].scheme}").strip()).isEqualTo("https");
        // The dev overlay stays on plain HTTP.
        assertThat(kubectl.ok("kustomize", "k8s/overlays/dev")).doesNotContain("finetide-tls");
        // Applying does not prune: that the keda overlay drops the CPU autoscalers shows in what it renders.
        assertThat(kubectl.ok("kustomize", "k8s/overlays/keda")).contains("kind: ScaledObject").doesNotContain(
                "kind: HorizontalPodAutoscaler");
    }

    @Test
    void theServerRefusesWhatIsWrong() {
        // The same check that passes the overlays fails a manifest with a wrong type or an unknown field.
        String wrongType = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: broken, namespace: finetide}
                spec:
                  replicas: two
                  selector: {matchLabels: {app: broken}}
                  template:
                    metadata: {labels: {app: broken}}
                    spec: {containers: [{name: c, image: x}]}
                """;
        Kubectl.Result r = kubectl.runWithInput(wrongType, "apply", "--server-side", "--dry-run=server", "-f", "-");
        assertThat(r.ok()).isFalse();
        String unknownField = """
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata: {name: broken, namespace: finetide, labels: {strimzi.io/cluster: finetide}}
                spec: {partitions: 1, replicas: 1, retention: 7d}
                """;
        Kubectl.Result u = kubectl.runWithInput(unknownField, "apply", "--server-side", "--dry-run=server", "-f", "-");
        assertThat(u.ok()).isFalse();
        assertThat(u.output()).contains("retention");
    }
}
