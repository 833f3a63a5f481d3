package io.finetide.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a service's OpenAPI document must say of every endpoint its code serves, found from the code itself (every
 * class with {@code @Path} where the given classes were loaded from), not from the document: the operation is there,
 * under its path and method; it has a summary written for it; its refusals are documented with a body; and one that
 * needs an API key says so. A new endpoint without these fails its service's {@code OpenApiTest}.
 */
public final class OpenApiContract {

    /** One endpoint of the code. */
    public record Endpoint(String method, String path, Method javaMethod) {
        @Override
        public String toString() {
            return method.toUpperCase(Locale.ROOT) + " " + path + " (" + javaMethod.getDeclaringClass().getSimpleName()
                    + "." + javaMethod.getName() + ")";
        }
    }

    private OpenApiContract() {
    }

    /** Every endpoint of the resource classes found beside each anchor (its directory or jar). */
    public static List<Endpoint> endpoints(Class<?>... anchors) {
        Set<Class<?>> resources = new LinkedHashSet<>();
        for (Class<?> anchor : anchors) {
            resources.addAll(resourceClasses(anchor));
        }
        List<Endpoint> out = new ArrayList<>();
        for (Class<?> type : resources) {
            String base = type.getAnnotation(jakarta.ws.rs.Path.class).value();
            for (Method m : type.getDeclaredMethods()) {
                String verb = verb(m);
                if (verb == null) {
                    continue;
                }
                jakarta.ws.rs.Path sub = m.getAnnotation(jakarta.ws.rs.Path.class);
                out.add(new Endpoint(verb, normalise(base + "/" + (sub == null ? "" : sub.value())), m));
            }
        }
        return out;
    }

    /**
     * Every way the document of {@code service} falls short of the code found beside the anchors (its endpoints, of
     * which there must be {@code endpointCount}), and of what every Finetide service documents alike: its title, the
     * error body and the API-key scheme. Empty when it documents each endpoint.
     */
    public static List<String> problems(JsonNode document, String service, int endpointCount,
            Predicate<Method> needsKey, Class<?>... anchors) {
        List<Endpoint> endpoints = endpoints(anchors);
        List<String> problems = new ArrayList<>(problems(document, endpoints, needsKey));
        if (endpoints.size() != endpointCount) {
            problems.add(endpoints.size() + " endpoints in the code, " + endpointCount + " expected: " + endpoints);
        }
        if (!document.at("/info/title").asText().equals("finetide-" + service)) {
            problems.add("title " + document.at("/info/title"));
        }
        if (!document.at("/components/schemas/ErrorBody/required").toString().equals("[\"reason\",\"message\"]")) {
            problems.add("no ErrorBody schema with its required reason and message");
        }
        if (!document.at("/components/securitySchemes/apiKey/name").asText().equals("X-API-Key")) {
            problems.add("no apiKey security scheme (header X-API-Key)");
        }
        return problems;
    }

    /**
     * Every way the document falls short of the code; empty when it documents each endpoint.
     *
     * @param needsKey whether a resource method is behind an API key
     */
    public static List<String> problems(JsonNode document, List<Endpoint> endpoints, Predicate<Method> needsKey) {
        List<String> problems = new ArrayList<>();
        JsonNode paths = document.path("paths");
        if (endpoints.isEmpty()) {
            problems.add("no endpoint found in the code: the contract checks nothing");
        }
        for (Endpoint e : endpoints) {
            JsonNode op = paths.path(e.path()).path(e.method());
            if (op.isMissingNode()) {
                problems.add(e + ": not in the document (its paths: " + names(paths) + ")");
                continue;
            }
            if (op.path("summary").asText("").isBlank()) {
                problems.add(e + ": no summary (@Operation(summary = ...))");
            }
            if (!documentsRefusal(op)) {
                problems.add(e + ": no 4xx answer with a body");
            }
            boolean secured = op.path("security").size() > 0;
            if (needsKey.test(e.javaMethod()) != secured) {
                problems.add(e + (secured
                        ? ": documented as needing a key, but open"
                        : ": needs a key, but the "
                                + "document does not say so"));
            }
        }
        return problems;
    }

    private static boolean documentsRefusal(JsonNode op) {
        var fields = op.path("responses").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> r = fields.next();
            if (r.getKey().startsWith("4") && r.getValue().path("content").size() > 0) {
                return true;
            }
        }
        return false;
    }

    private static List<String> names(JsonNode paths) {
        List<String> out = new ArrayList<>();
        paths.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static String verb(Method m) {
        if (m.isAnnotationPresent(GET.class)) {
            return "get";
        }
        if (m.isAnnotationPresent(POST.class)) {
            return "post";
        }
        if (m.isAnnotationPresent(PUT.class)) {
            return "put";
        }
        if (m.isAnnotationPresent(DELETE.class)) {
            return "delete";
        }
        if (m.isAnnotationPresent(PATCH.class)) {
            return "patch";
        }
        return m.isAnnotationPresent(HEAD.class) ? "head" : null;
    }

    /** {@code /a//{id: .+}/} becomes {@code /a/{id}}, as OpenAPI writes paths. */
    static String normalise(String path) {
        String p = path.replaceAll("\\{\\s*(\\w+)\\s*:[^}]*}", "{$1}").replaceAll("/+", "/");
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static List<Class<?>> resourceClasses(Class<?> anchor) {
        try {
            Path source = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            List<String> names;
            if (Files.isDirectory(source)) {
                try (Stream<Path> files = Files.walk(source)) {
                    names = files.filter(f -> f.toString().endsWith(".class")).map(f -> source.relativize(f)
                            .toString()).toList();
                }
            } else {
                try (var jar = new java.util.jar.JarFile(source.toFile())) {
                    names = jar.stream().map(java.util.jar.JarEntry::getName).filter(n -> n.endsWith(".class"))
                            .toList();
                }
            }
            List<Class<?>> out = new ArrayList<>();
            for (String n : names) {
                String className = n.substring(0, n.length() - ".class".length()).replace('/', '.').replace('\\',
                        '.');
                if (className.endsWith("module-info") || className.endsWith("package-info")) {
                    continue;
                }
                Class<?> c = Class.forName(className, false, anchor.getClassLoader());
                if (c.isAnnotationPresent(jakarta.ws.rs.Path.class)) {
                    out.add(c);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot list the classes beside " + anchor, e);
        }
    }
}
