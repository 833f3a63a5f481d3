package io.finetide.launcher;

/** How the platform's parts talk to each other and to their clients. */
public enum Transport {
    /** Plain HTTP and Kafka without authentication: one machine, nobody else on it. */
    PLAINTEXT,
    /**
     * HTTPS only for the services; Kafka on SASL_SSL with SCRAM-SHA-512, a user per service, and the ACLs of
     * its production {@code KafkaUser}; a self-signed certificate for localhost ({@link io.finetide.launcher.transport.TransportSecurity}).
     */
    TLS
}
