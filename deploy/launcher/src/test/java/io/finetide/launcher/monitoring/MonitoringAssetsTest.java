package io.finetide.launcher.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.finetide.platform.local.LocalPaths;

/**
 * The dashboards, alerting rules and runbooks under {@code deploy/monitoring} are what they claim: rules that
 * promtool accepts and whose unit tests pass, a PrometheusRule equal to the rules file, dashboards that read strictly
 * as Grafana dashboard JSON, and no expression naming a Finetide metric that {@code docs/METRICS.md} does not list.
 * That every expression returns series from the live platform is {@code PipelineIT}'s part.
 */
class MonitoringAssetsTest {

    static final Path ROOT = LocalPaths.projectRoot();
    static final MonitoringAssets ASSETS = new MonitoringAssets(ROOT);

    @Test
    void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
        Path promtool = tool("promtool");
        assertThat(run(promtool.toString(), "check", "rules", ASSETS.rules().toString())).contains(
                "SUCCESS: 13 rules found");
        assertThat(run(promtool.toString(), "test", "rules", ASSETS.rulesTests().toString())).contains("SUCCESS");
    }

    @Test
    void everyAlertIsUnitTestedFiringAndHasSeverityAnnotationsAndARunbookSection() throws IOException {
        Set<String> alerts = new LinkedHashSet<>();
        ASSETS.alertQueries().forEach(q -> alerts.add(q.source()));
        assertThat(alerts).hasSize(13);
        Set<String> testedFiring = new HashSet<>();
        for (JsonNode test : MonitoringAssets.read(ASSETS.rulesTests()).path("tests")) {
            for (JsonNode c : test.path("alert_rule_test")) {
                if (!c.path("exp_alerts").isEmpty()) {
                    testedFiring.add(c.path("alertname").asText());
                }
            }
        }
        assertThat(testedFiring).containsExactlyInAnyOrderElementsOf(alerts);

        String runbooks = Files.readString(ROOT.resolve("docs/RUNBOOKS.md"), StandardCharsets.UTF_8);
        for (JsonNode group : MonitoringAssets.read(ASSETS.rules()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path("alert").asText();
                assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("critical", "warning",
                        "info");
                assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
                assertThat(rule.path("annotations").path("description").asText()).as(name).isNotBlank();
                assertThat(rule.path("annotations").path("runbook_url").asText()).as(name).isEqualTo(
                        "docs/RUNBOOKS.md#" + name.toLowerCase(Locale.ROOT));
                assertThat(runbooks).as("a runbook section for " + name).contains("\n## " + name + "\n");
            }
        }
    }

    @Test
    void thePrometheusRuleHasTheRulesFilesGroupsWordForWord() {
        JsonNode rule = MonitoringAssets.read(ASSETS.prometheusRule());
        assertThat(rule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(rule.path("kind").asText()).isEqualTo("PrometheusRule");
        assertThat(rule.path("spec").path("groups")).isEqualTo(MonitoringAssets.read(ASSETS.rules()).path(
                "groups"));
    }

    @Test
    void dashboardsAreWellFormedWithADatasourceAndATaskVariableAndNoTaskNamedInThem() {
        List<Path> files = ASSETS.dashboards();
        assertThat(files).extracting(f -> f.getFileName().toString()).containsExactlyInAnyOrder(
                "finetide-overview.json", "finetide-data.json", "finetide-training.json", "finetide-models.json",
                "finetide-serving.json", "finetide-platform.json");
        Set<String> uids = new HashSet<>();
        Pattern namedTask = Pattern.compile("task\\s*(?:=|=~|!=|!~)\\s*\"(?!\\$task\"|\\$\\{task\\}\")");
        for (Path f : files) {
            JsonNode d = MonitoringAssets.read(f);
            String name = f.getFileName().toString();
            assertThat(uids.add(d.path("uid").asText())).as(name + " uid unique").isTrue();
            assertThat(d.path("schemaVersion").asInt()).as(name).isGreaterThanOrEqualTo(36);
            List<String> variables = new ArrayList<>();
            d.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText() + ":" + v.path(
                    "type").asText()));
            assertThat(variables).as(name).contains("datasource:datasource", "task:query");
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : MonitoringAssets.panels(d)) {
                String title = name + ": " + panel.path("title").asText();
                assertThat(ids.add(panel.path("id").asInt())).as(title + " id unique").isTrue();
                if (panel.path("type").asText().equals("row")) {
                    continue;
                }
                assertThat(panel.path("datasource").path("uid").asText()).as(title).isEqualTo("${datasource}");
                assertThat(panel.path("targets")).as(title).isNotEmpty();
                for (JsonNode t : panel.path("targets")) {
                    assertThat(t.path("datasource").path("uid").asText()).as(title).isEqualTo("${datasource}");
                }
            }
        }
        for (MonitoringAssets.Query q : ASSETS.dashboardQueries()) {
            assertThat(namedTask.matcher(q.expr()).find()).as(q.source() + " names a task: " + q.expr()).isFalse();
            assertThat(PromQl.variables(q.expr())).as(q.source()).isSubsetOf("task", "__rate_interval",
                    "__interval", "__range");
        }
    }

    @Test
    void dashboardsReadStrictlyAsGrafanaDashboards() throws Exception {
        List<String> command = new ArrayList<>(List.of(tool("finetide-dashboard-check").toString()));
        ASSETS.dashboards().forEach(f -> command.add(f.toString()));
        String out = run(command.toArray(String[]::new));
        assertThat(out.lines().filter(l -> l.startsWith("ok "))).hasSize(6);
    }

    @Test
    void everyFinetideMetricADashboardOrAlertReadsIsInTheCatalogue() throws IOException {
        Set<String> catalogued = cataloguedSeries();
        assertThat(catalogued).contains("finetide_deployment_request_latency_seconds_bucket",
                "finetide_ingestion_examples_stored_total", "finetide_training_run_progress");
        Set<String> read = new LinkedHashSet<>();
        for (MonitoringAssets.Query q : ASSETS.allQueries()) {
            PromQl.metricNames(q.expr()).stream().filter(n -> n.startsWith("finetide_")).forEach(read::add);
        }
        assertThat(read).hasSizeGreaterThan(40);
        assertThat(catalogued).containsAll(read);
    }

    @Test
    void grafanaProvisioningFilesPointAtTheDashboards() {
        JsonNode providers = MonitoringAssets.read(ASSETS.grafana().resolve(
                "provisioning/dashboards/finetide.yaml"));
        assertThat(providers.path("providers").get(0).path("type").asText()).isEqualTo("file");
        JsonNode datasources = MonitoringAssets.read(ASSETS.grafana().resolve(
                "provisioning/datasources/finetide-prometheus.yaml"));
        assertThat(datasources.path("datasources").get(0).path("type").asText()).isEqualTo("prometheus");
    }

    /** Prometheus series of the catalogue's tables: "`x_seconds_bucket`, `_count`, `_sum`" is four series. */
    static Set<String> cataloguedSeries() throws IOException {
        Set<String> out = new HashSet<>();
        Pattern code = Pattern.compile("`([a-z_0-9]+)`");
        for (String line : Files.readAllLines(ROOT.resolve("docs/METRICS.md"), StandardCharsets.UTF_8)) {
            String[] cells = line.split("\\|");
            if (cells.length < 3 || !cells[1].strip().startsWith("`finetide.")) {
                continue;
            }
            Matcher m = code.matcher(cells[2]);
            String stem = null;
            while (m.find()) {
                String s = m.group(1);
                if (stem == null) {
                    out.add(s);
                    stem = s.replaceAll("_(bucket|count)$", "");
                } else {
                    out.add(stem + s);
                }
            }
        }
        return out;
    }

    static Path tool(String name) {
        Path p = ROOT.resolve(".tools/bin").resolve(name);
        assertThat(p).as(name + " is built by ./finetide tools").isExecutable();
        return p;
    }

    /** Runs a command, asserts it exits 0, returns its output. */
    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }
}
