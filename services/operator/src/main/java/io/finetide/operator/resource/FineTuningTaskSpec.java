package io.finetide.operator.resource;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;

/**
 * The task definition as written in the resource: the JSON form of {@code TaskDefinitionEvent} (lowerCamelCase
 * field names) without what the platform sets itself (name, revision, times). Its schema in the CRD comes from the
 * protobuf descriptor ({@link FineTuningTaskCrd}), so the API server refuses unknown fields and wrong types; the
 * platform's own validation (labels, bases, ranges) answers through the resource's {@code Ready} condition.
 */
public class FineTuningTaskSpec {

    private final Map<String, Object> fields = new LinkedHashMap<>();

    @JsonAnyGetter
    public Map<String, Object> fields() {
        return fields;
    }

    @JsonAnySetter
    public void set(String name, Object value) {
        fields.put(name, value);
    }
}
