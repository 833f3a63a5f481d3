package io.finetide.launcher.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {

    @Test
    void metricNamesSkipFunctionsLabelsStringsAndKeywords() {
        assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (task, le) (rate("
                + "finetide_deployment_request_latency_seconds_bucket{task=~\"$task\"}[$__rate_interval]))) > 0.5"))
                .containsExactly("finetide_deployment_request_latency_seconds_bucket");
        assertThat(PromQl.metricNames("max by (task) (a_total) unless on (task) max by (task) (b_info)"))
                .containsExactly("a_total", "b_info");
        assertThat(PromQl.metricNames("sum by (application, channel) (label_replace(kafka_lag{application=~"
                + "\"finetide-.*\"}, \"channel\", \"$1\", \"client_id\", \"kafka-consumer-(.*)\"))"))
                .containsExactly("kafka_lag");
        assertThat(PromQl.metricNames("x / ignoring (label) group_left sum by (task) (rate(y[5m])) * 1e3"))
                .containsExactly("x", "y");
        assertThat(PromQl.metricNames("up{job=~\"finetide.*\"} == 0")).containsExactly("up");
    }

    @Test
    void theSignalIsWhatATopLevelThresholdCompares() {
        assertThat(PromQl.signal("sum by (task) (rate(x[5m])) > 0.1")).contains("sum by (task) (rate(x[5m]))");
        assertThat(PromQl.signal("up{job=~\"f.*\"} == 0")).contains("up{job=~\"f.*\"}");
        assertThat(PromQl.signal("a / b > 5e-2")).contains("a / b");
        // A comparison inside parentheses, or between two vectors, is not a threshold.
        assertThat(PromQl.signal("(a > 1000) and (b > 0)")).isEmpty();
        assertThat(PromQl.signal("max by (task) (a) > on (task) group_left max by (task) (b)")).isEmpty();
        assertThat(PromQl.signal("a unless on (task) b")).isEmpty();
    }

    @Test
    void grafanaVariablesAreFoundAndReplacedAsGrafanaWould() {
        String expr = "sum(rate(x{task=~\"$task\"}[$__rate_interval])) / sum(increase(y{task=~\"${task}\"}[1h]))";
        assertThat(PromQl.variables(expr)).containsExactly("task", "__rate_interval");
        assertThat(PromQl.asGrafanaSends(expr)).isEqualTo(
                "sum(rate(x{task=~\".*\"}[1m])) / sum(increase(y{task=~\".*\"}[1h]))");
        // A regex group reference of label_replace is not a variable.
        assertThat(PromQl.variables("label_replace(x, \"c\", \"$1\", \"client_id\", \"k-(.*)\")")).isEmpty();
    }
}
