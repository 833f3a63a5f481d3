package io.finetide.platform.topics;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Publishes every topic name of {@link Topics} as a config property {@code finetide.topic.<key>} (for example
 * {@code finetide.topic.examples-raw}), so that channel configuration refers to the constants instead of repeating
 * them. Environment variable {@code FINETIDE_TOPIC_SUFFIX} appends a suffix to all of them (isolated test topics).
 * Low ordinal: properties and environment still override.
 */
public class TopicConfigSource implements ConfigSource {

    public static final String PREFIX = "finetide.topic.";
    public static final String SUFFIX_ENV = "FINETIDE_TOPIC_SUFFIX";

    private final Map<String, String> properties;

    public TopicConfigSource() {
        this(System.getenv(SUFFIX_ENV));
    }

    TopicConfigSource(String suffix) {
        this.properties = properties(suffix);
    }

    /** The properties naming every topic, with {@code suffix} appended (null or empty: the production names). */
    public static Map<String, String> properties(String suffix) {
        Map<String, String> p = new HashMap<>();
        for (String topic : Topics.ALL) {
            p.put(key(topic), Topics.withSuffix(topic, suffix));
        }
        return p;
    }

    /** {@code finetide.examples.raw} becomes {@code finetide.topic.examples-raw}. */
    public static String key(String topic) {
        return PREFIX + topic.substring(Topics.PREFIX.length()).replace('.', '-');
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "finetide-topics";
    }

    @Override
    public int getOrdinal() {
        return 150;
    }
}
