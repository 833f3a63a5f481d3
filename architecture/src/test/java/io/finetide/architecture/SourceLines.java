package io.finetide.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The length of a class's source file. Class files do not record it, so the condition finds the file under the
 * repository's {@code src/main/java} folders by package and file name.
 */
final class SourceLines {

    /** The repository: this module's parent folder (Maven runs tests in the module's folder). */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private static final List<Path> SOURCE_ROOTS = sourceRoots();

    private SourceLines() {
    }

    /**
     * @param exceptions classes (fully qualified) allowed to be longer, each with the reason
     */
    static ArchCondition<JavaClass> atMost(int lines, Map<String, String> exceptions) {
        return new ArchCondition<>("have at most " + lines + " lines of source") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                if (exceptions.containsKey(c.getName())) {
                    return;
                }
                Optional<Path> file = find(c);
                if (file.isEmpty()) {
                    // Generated classes (protobuf) have no source here.
                    return;
                }
                long count = count(file.get());
                if (count > lines) {
                    events.add(SimpleConditionEvent.violated(c, c.getName() + " has " + count + " lines ("
                            + ROOT.relativize(file.get()) + ")"));
                }
            }
        };
    }

    static Optional<Path> find(JavaClass c) {
        String fileName = c.getSource().flatMap(s -> s.getFileName()).orElse(c.getSimpleName() + ".java");
        String relative = c.getPackageName().replace('.', '/') + "/" + fileName;
        return SOURCE_ROOTS.stream().map(r -> r.resolve(relative)).filter(Files::isRegularFile).findFirst();
    }

    static long count(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> sourceRoots() {
        try (Stream<Path> paths = Files.walk(ROOT, 5)) {
            return paths.filter(p -> p.endsWith(Path.of("src", "main", "java")) && Files.isDirectory(p)).filter(
                    p -> !p.toString().contains("/target/")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
