package io.finetide.launcher.transport;

/**
 * A Kafka user who signs in with SCRAM-SHA-512: one per service, as Strimzi's {@code KafkaUser}s are in production
 * (the same names, {@code finetide-<service>}, so that the same ACLs apply).
 */
public record ScramUser(String name, String password) {

    public static final String MECHANISM = "SCRAM-SHA-512";

    /** The client's login, for {@code sasl.jaas.config}. */
    public String jaasConfig() {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + name
                + "\" password=\"" + password + "\";";
    }

    /** The credential as {@code kafka-storage format --add-scram} takes it, so that it exists before the broker. */
    String formatArgument() {
        return MECHANISM + "=[name=" + name + ",password=" + password + "]";
    }

    @Override
    public String toString() {
        return "ScramUser[" + name + "]";
    }
}
