package io.finetide.runtime;

import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.finetide.platform.topics.Topics;

/**
 * Publishes every topic name of {@link Topics} as a config property {@code finetide.topic.<key>} (for example
 * {@code finetide.topic.examples-raw}), so that channel configuration refers to the constants instead of repeating
 * them. Environment variable {@code FINETIDE_TOPIC_SUFFIX} appends a suffix to all of them (isolated test topics).
 * Low ordinal: properties and environment still override.
 */
public class TopicConfigSource implements ConfigSource {

    private final Map<String, String> properties;

    public TopicConfigSource() {
        this(System.getenv(Topics.SUFFIX_ENV));
    }

    TopicConfigSource(String suffix) {
        this.properties = Topics.configProperties(suffix);
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
