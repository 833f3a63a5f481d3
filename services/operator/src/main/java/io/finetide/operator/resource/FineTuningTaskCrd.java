package io.finetide.operator.resource;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;

import io.finetide.proto.v1.TaskDefinitionEvent;

/**
 * The {@code FineTuningTask} CustomResourceDefinition, generated from the Java types: the spec's schema from the
 * protobuf descriptor of {@link TaskDefinitionEvent} (the one copy of the task's schema, as the JSON that
 * {@code POST /api/v1/tasks} reads), the status's from {@link FineTuningTaskStatus}'s record components. The file
 * under {@code k8s/} is this output; a test fails when they differ.
 */
public final class FineTuningTaskCrd {

    /** Set by the platform, not by the user: the name is the resource's, revisions and times are stamped. */
    static final Set<String> PLATFORM_FIELDS = Set.of("meta", "name", "revision", "created_at_ms");

    private FineTuningTaskCrd() {
    }

    public static Map<String, Object> definition() {
        Map<String, Object> schema = object(ordered());
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spec", spec());
        properties.put("status", schemaOf(FineTuningTaskStatus.class));
        schema.put("properties", properties);
        schema.put("required", List.of("spec"));

        Map<String, Object> version = new LinkedHashMap<>();
        version.put("name", FineTuningTask.VERSION);
        version.put("served", true);
        version.put("storage", true);
        version.put("subresources", ordered("status", ordered()));
        version.put("additionalPrinterColumns", List.of(
                column("Revision", "integer", ".status.revision"),
                column("Champion", "string", ".status.champion.modelId"),
                column("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status"),
                column("Training", "string", ".status.conditions[?(@.type==\"Training\")].status"),
                column("Age", "date", ".metadata.creationTimestamp")));
        version.put("schema", ordered("openAPIV3Schema", schema));

        Map<String, Object> names = new LinkedHashMap<>();
        names.put("kind", FineTuningTask.KIND);
        names.put("listKind", FineTuningTask.KIND + "List");
        names.put("plural", FineTuningTask.PLURAL);
        names.put("singular", "finetuningtask");
        names.put("shortNames", List.of("ftt"));

        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("group", FineTuningTask.GROUP);
        spec.put("names", names);
        spec.put("scope", "Namespaced");
        spec.put("versions", List.of(version));

        Map<String, Object> crd = new LinkedHashMap<>();
        crd.put("apiVersion", "apiextensions.k8s.io/v1");
        crd.put("kind", "CustomResourceDefinition");
        crd.put("metadata", ordered("name", FineTuningTask.PLURAL + "." + FineTuningTask.GROUP));
        crd.put("spec", spec);
        return crd;
    }

    static Map<String, Object> spec() {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (FieldDescriptor field : TaskDefinitionEvent.getDescriptor().getFields()) {
            if (!PLATFORM_FIELDS.contains(field.getName())) {
                properties.put(field.getJsonName(), schemaOf(field));
            }
        }
        Map<String, Object> spec = object(properties);
        spec.put("description", "The task definition: the JSON that POST /api/v1/tasks takes, without its name "
                + "(the resource's), revision and creation time. Unset fields take the platform's documented "
                + "defaults.");
        return spec;
    }

    private static Map<String, Object> schemaOf(FieldDescriptor field) {
        if (field.isMapField()) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("type", "object");
            map.put("additionalProperties", scalarOrMessage(field.getMessageType().findFieldByName("value")));
            return map;
        }
        Map<String, Object> one = scalarOrMessage(field);
        return field.isRepeated() ? ordered("type", "array", "items", one) : one;
    }

    private static Map<String, Object> scalarOrMessage(FieldDescriptor field) {
        return switch (field.getJavaType()) {
            case INT -> ordered("type", "integer", "format", "int32");
            // Protobuf's JSON writes 64-bit integers as strings and reads numbers or strings.
            case LONG -> ordered("x-kubernetes-int-or-string", true);
            case FLOAT, DOUBLE -> ordered("type", "number");
            case BOOLEAN -> ordered("type", "boolean");
            case STRING, BYTE_STRING -> ordered("type", "string");
            case ENUM -> ordered("type", "string", "enum", field.getEnumType().getValues().stream().map(
                    EnumValueDescriptor::getName).filter(n -> !n.endsWith("_UNSPECIFIED")).toList());
            case MESSAGE -> message(field.getMessageType());
        };
    }

    private static Map<String, Object> message(Descriptor type) {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (FieldDescriptor field : type.getFields()) {
            properties.put(field.getJsonName(), schemaOf(field));
        }
        return object(properties);
    }

    /** A record's schema: every component optional, named as Jackson writes it. */
    static Map<String, Object> schemaOf(Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            return ordered("type", "array", "items", schemaOf(p.getActualTypeArguments()[0]));
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class) {
            return ordered("type", "string");
        }
        if (c == Integer.class || c == Long.class) {
            return ordered("type", "integer");
        }
        if (c == Double.class) {
            return ordered("type", "number");
        }
        if (c.isRecord()) {
            Map<String, Object> properties = new LinkedHashMap<>();
            for (RecordComponent component : c.getRecordComponents()) {
                properties.put(component.getName(), schemaOf(component.getGenericType()));
            }
            return object(properties);
        }
        throw new IllegalArgumentException("no schema for " + type);
    }

    private static Map<String, Object> object(Map<String, Object> properties) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("type", "object");
        if (!properties.isEmpty()) {
            object.put("properties", properties);
        }
        return object;
    }

    /**
     * A map keeping its entries in the order given: {@code Map.of} iterates in an order that changes from one JVM to
     * the next, and the generated file must not.
     */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static Map<String, Object> column(String name, String type, String path) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("type", type);
        c.put("jsonPath", path);
        return c;
    }
}
