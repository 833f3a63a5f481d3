package io.finetide.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClass;

/**
 * {@code docs/METRICS.md} is the catalogue of every Finetide metric: a metric-name constant of a {@code metrics}
 * package that the page does not list fails, and so does a row of the page that no constant names. Names are
 * constants: a meter registered with a literal {@code "finetide..."} name anywhere fails too.
 */
class MetricsCatalogueTest {

    private static final Pattern CONSTANT = Pattern.compile(
            "public static final String (\\w+) = \"(finetide\\.[a-z0-9.]+)\";");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`(finetide\\.[a-z0-9.]+)`\\s*\\|(.*)$");
    private static final Pattern LITERAL_METER = Pattern.compile(
            "(?:counter|gauge|timer|summary|builder|find)\\(\\s*\"finetide\\.");

    /** Metric name to the constant that holds it (class.FIELD). */
    static Map<String, String> constants() {
        Map<String, String> out = new LinkedHashMap<>();
        List<JavaClass> metricsClasses = ArchitectureTest.MAIN.stream().filter(c -> c.getPackageName().endsWith(
                ".metrics") && !c.getPackageName().startsWith("io.finetide.model")).filter(c -> !c.isNestedClass())
                .toList();
        assertThat(metricsClasses).extracting(JavaClass::getSimpleName).contains("IngestionMetrics",
                "PreprocessingMetrics", "TrainingMetrics", "EvaluationMetrics", "DeploymentMetrics",
                "RuntimeMetrics");
        for (JavaClass c : metricsClasses) {
            Optional<Path> source = SourceLines.find(c);
            assertThat(source).as("source of " + c.getName()).isPresent();
            Matcher m = CONSTANT.matcher(read(source.get()));
            while (m.find()) {
                out.putIfAbsent(m.group(2), c.getSimpleName() + "." + m.group(1));
            }
        }
        return out;
    }

    /** Metric name to the rest of its catalogue row. */
    static Map<String, String> catalogue() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : read(SourceLines.ROOT.resolve("docs/METRICS.md")).split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                assertThat(out.put(m.group(1), m.group(2))).as(m.group(1) + " listed once").isNull();
            }
        }
        return out;
    }

    @Test
    void everyMetricConstantIsCataloguedAndEveryCataloguedMetricIsAConstant() {
        Map<String, String> constants = constants();
        Map<String, String> catalogue = catalogue();
        assertThat(constants).hasSizeGreaterThan(60);
        assertThat(catalogue.keySet()).as("metrics docs/METRICS.md lists that no constant names")
                .isSubsetOf(constants.keySet());
        assertThat(constants.keySet()).as("metric constants missing from docs/METRICS.md").isSubsetOf(catalogue
                .keySet());
    }

    @Test
    void everyCatalogueRowHasSeriesTypeUnitTagsAndMeaning() {
        catalogue().forEach((name, rest) -> {
            String[] cells = rest.split("\\|");
            assertThat(cells).as(name).hasSizeGreaterThanOrEqualTo(5);
            assertThat(cells[0]).as(name + " series").contains("`" + name.replace('.', '_'));
            assertThat(cells[1].strip()).as(name + " type").matches("(counter|gauge|timer|histogram).*");
            for (int i = 2; i < 5; i++) {
                assertThat(cells[i].strip()).as(name + " column " + (i + 2)).isNotEmpty();
            }
        });
    }

    @Test
    void metersAreRegisteredUnderConstantsNotLiterals() throws IOException {
        List<String> literal = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SourceLines.ROOT.resolve("services"))) {
            files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/")).forEach(f -> {
                if (LITERAL_METER.matcher(read(f)).find()) {
                    literal.add(SourceLines.ROOT.relativize(f).toString());
                }
            });
        }
        assertThat(literal).as("register meters under a metrics package's constant, catalogued in docs/METRICS.md")
                .isEmpty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
