package io.finetide.launcher.kubernetes;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.finetide.platform.topics.Topics;

/**
 * Which topics a deployable reads and writes and with which consumer groups, from its own
 * {@code application.properties} (the SmallRye channels): the source the Kafka users and their ACLs are generated
 * from, so that they cannot drift from the code.
 *
 * @param name     the deployable ({@code ingestion}, ..., {@code operator})
 * @param reads    topics of incoming channels
 * @param writes   topics of outgoing channels (every service also writes dead letters through its connector)
 * @param groups   consumer groups with a fixed name
 * @param prefixes consumer groups named per process ({@code ...-${quarkus.uuid}}): their fixed prefix
 * @param transactionalIds transactional producers, named per process ({@code ...-${finetide.instance}}): their fixed
 *                         prefix
 */
public record ServiceChannels(String name, List<String> reads, List<String> writes, List<String> groups,
        List<String> prefixes, List<String> transactionalIds) {

    /** Every deployable that talks to Kafka, in the order of the platform. */
    public static final List<String> DEPLOYABLES = List.of("ingestion", "preprocessing", "training", "evaluation",
            "deployment", "operator");

    private static final Pattern CHANNEL = Pattern
            .compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.(topic|group\\.id|transactional\\.id)");
    private static final Pattern TOPIC_REF = Pattern.compile("\\$\\{(" + Pattern.quote(Topics.CONFIG_PREFIX)
            + "[a-z-]+)}");
    private static final String PER_PROCESS = "${quarkus.uuid}";
    private static final String PER_INSTANCE = "${finetide.instance}";

    public static List<ServiceChannels> all(Path projectRoot) {
        return DEPLOYABLES.stream().map(d -> of(d, projectRoot.resolve("services").resolve(d).resolve(
                "src/main/resources/application.properties"))).toList();
    }

    static ServiceChannels of(String name, Path properties) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(properties)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> topicByKey = new TreeMap<>();
        for (String topic : Topics.ALL) {
            topicByKey.put(Topics.configKey(topic), topic);
        }
        TreeSet<String> reads = new TreeSet<>(), writes = new TreeSet<>(), groups = new TreeSet<>(),
                prefixes = new TreeSet<>(), transactionalIds = new TreeSet<>();
        for (String key : p.stringPropertyNames()) {
            Matcher m = CHANNEL.matcher(key);
            if (!m.matches()) {
                continue;
            }
            String value = p.getProperty(key).strip();
            if (m.group(3).equals("topic")) {
                Matcher ref = TOPIC_REF.matcher(value);
                if (!ref.matches() || !topicByKey.containsKey(ref.group(1))) {
                    throw new IllegalStateException(properties + ": channel " + m.group(2) + " names topic '" + value
                            + "', not one of Topics.ALL through " + Topics.CONFIG_PREFIX + "*");
                }
                (m.group(1).equals("incoming") ? reads : writes).add(topicByKey.get(ref.group(1)));
            } else if (m.group(3).equals("transactional.id")) {
                if (!value.endsWith(PER_INSTANCE)) {
                    throw new IllegalStateException(properties + ": channel " + m.group(2) + "'s transactional id '"
                            + value + "' must end with " + PER_INSTANCE
                            + " (two processes with one id fence each other)");
                }
                transactionalIds.add(value.substring(0, value.length() - PER_INSTANCE.length()));
            } else if (value.endsWith(PER_PROCESS)) {
                prefixes.add(value.substring(0, value.length() - PER_PROCESS.length()));
            } else {
                groups.add(value);
            }
        }
        if (!reads.isEmpty()) {
            // The connector's dead-letter-queue failure strategy writes there for every incoming channel.
            writes.add(Topics.DEAD_LETTER);
        }
        return new ServiceChannels(name, new ArrayList<>(reads), new ArrayList<>(writes), new ArrayList<>(groups),
                new ArrayList<>(prefixes), new ArrayList<>(transactionalIds));
    }
}
