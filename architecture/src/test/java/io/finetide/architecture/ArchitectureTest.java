package io.finetide.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The rooms and who may enter them. Each rule says, when it fails, how to fix the code rather than the rule; the
 * where-things-live map in docs/ARCHITECTURE.md lists the same rules.
 */
class ArchitectureTest {

    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.finetide");

    /** The five services and the FineTuningTask operator: deployables of their own. */
    static final List<String> SERVICES = List.of("ingestion", "preprocessing", "training", "evaluation",
            "deployment", "operator");

    /** What a framework-free library may not reference. */
    static final String[] FRAMEWORKS = {"io.quarkus..", "io.smallrye..", "org.eclipse.microprofile..", "jakarta..",
            "org.jboss.."};

    @Test
    void theClassesWereImported() {
        // A rule over no classes passes whatever it says: make sure every module's classes are there.
        for (String pkg : List.of("io.finetide.proto.v1", "io.finetide.platform.topics", "io.finetide.model.graph",
                "io.finetide.runtime", "io.finetide.ingestion.api", "io.finetide.training.runs",
                "io.finetide.operator.reconcile",
                "io.finetide.launcher", "io.finetide.bench")) {
            org.assertj.core.api.Assertions.assertThat(MAIN.containPackage(pkg)).as(pkg).isTrue();
        }
    }

    @Test
    void servicesNeverImportEachOther() {
        for (String service : SERVICES) {
            String[] others = SERVICES.stream().filter(s -> !s.equals(service)).map(s -> "io.finetide." + s + "..")
                    .toArray(String[]::new);
            noClasses().that().resideInAPackage("io.finetide." + service + "..").should().dependOnClassesThat()
                    .resideInAnyPackage(others).because("services talk only through Kafka topics; move what two "
                            + "services share into the platform or model library, or send it as an event from proto/")
                    .check(MAIN);
        }
    }

    @Test
    void theLayersOnlyLookDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("proto").definedBy("io.finetide.proto..")
                .layer("platform").definedBy("io.finetide.platform..")
                .layer("model").definedBy("io.finetide.model..")
                .layer("runtime").definedBy("io.finetide.runtime..", "io.finetide.testing..")
                .layer("services").definedBy(SERVICES.stream().map(s -> "io.finetide." + s + "..").toArray(
                        String[]::new))
                .layer("tools").definedBy("io.finetide.launcher..", "io.finetide.bench..")
                .whereLayer("tools").mayNotBeAccessedByAnyLayer()
                .whereLayer("services").mayOnlyBeAccessedByLayers("tools")
                .whereLayer("runtime").mayOnlyBeAccessedByLayers("services", "tools")
                .whereLayer("model").mayOnlyBeAccessedByLayers("runtime", "services", "tools")
                .whereLayer("platform").mayOnlyBeAccessedByLayers("runtime", "services", "tools")
                .because("proto -> platform and model libraries -> runtime -> services -> launcher and benchmarks; "
                        + "a lower room that needs something of a higher one should receive it as an argument, or the "
                        + "piece belongs lower")
                .check(MAIN);
    }

    @Test
    void theModelLibraryHasNoFrameworkInside() {
        noClasses().that().resideInAPackage("io.finetide.model..").should().dependOnClassesThat().resideInAnyPackage(
                concat(FRAMEWORKS, "org.apache.kafka..", "com.mongodb..", "org.bson..")).because(
                        "the model library is plain Java on TensorFlow: give it values, and keep messaging, storage "
                                + "and injection in the services")
                .check(MAIN);
    }

    @Test
    void thePlatformLibraryHasNoFrameworkInside() {
        noClasses().that().resideInAPackage("io.finetide.platform..").should().dependOnClassesThat()
                .resideInAnyPackage(FRAMEWORKS).because("the platform library is plain Java: code that needs "
                        + "SmallRye, MicroProfile or Quarkus belongs in services/runtime (io.finetide.runtime)")
                .check(MAIN);
    }

    @Test
    void mongoTypesStayInStorePackages() {
        noClasses().that().resideOutsideOfPackage("..store..").should().dependOnClassesThat().resideInAnyPackage(
                "com.mongodb..", "org.bson..").because(
                        "documents are read and written in a store package; "
                                + "everything else sees typed records (a ...Record, or a view record the API answers with)")
                .check(MAIN);
    }

    @Test
    void inferenceNeverImportsTraining() {
        noClasses().that().resideInAPackage("io.finetide.model.infer..").should().dependOnClassesThat()
                .resideInAPackage("io.finetide.model.train..").because("serving must not load the trainer: what both "
                        + "need (batched prediction, arg max) lives in infer, and train uses it")
                .check(MAIN);
    }

    @Test
    void noClassIsLongerThanOneSitting() {
        ArchRule rule = classes().that().areTopLevelClasses().should(SourceLines.atMost(400, Map.of()))
                .because("a class should be readable in one sitting: split it by responsibility (see how "
                        + "io.finetide.model.graph and io.finetide.model.train are split), or name it here with the "
                        + "reason it cannot be");
        rule.check(MAIN);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
