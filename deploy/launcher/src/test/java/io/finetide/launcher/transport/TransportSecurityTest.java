package io.finetide.launcher.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.finetide.launcher.kubernetes.ServiceChannels;

class TransportSecurityTest {

    @TempDir
    Path dir;

    @Test
    void aPlatformStartedAgainSignsInWithTheCredentialsItsBrokerWasFormattedWith() throws Exception {
        TransportSecurity first = TransportSecurity.in(dir, List.of("ingestion", "deployment"));
        TransportSecurity again = TransportSecurity.in(dir, List.of("ingestion", "deployment"));
        assertThat(again.services()).isEqualTo(first.services());
        assertThat(again.admin()).isEqualTo(first.admin());
        assertThat(first.services().get("ingestion").name()).isEqualTo("finetide-ingestion");
        assertThat(first.services().get("ingestion").password()).hasSize(48).isNotEqualTo(first.services().get(
                "deployment").password());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("users.properties"))))
                .isEqualTo("rw-------");
        assertThat(first.certificate().keyStore()).exists();
        assertThat(Files.readString(first.certificate().certificate())).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(first.certificate().sslContext().getProtocol()).isEqualTo("TLS");
        assertThat(first.secrets()).hasSize(4).doesNotHaveDuplicates();
    }

    @Test
    void aServiceGetsItsOwnUserAndHttpsOnly() {
        TransportSecurity s = TransportSecurity.in(dir, List.of("ingestion"));
        Map<String, String> env = s.serviceEnv("ingestion", "127.0.0.1:9", 8091);
        assertThat(env).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL").containsEntry("KAFKA_SASL_MECHANISM",
                "SCRAM-SHA-512").containsEntry("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9").containsEntry(
                        "QUARKUS_HTTP_SSL_PORT", "8091")
                .containsEntry("QUARKUS_HTTP_INSECURE_REQUESTS", "disabled");
        assertThat(env.get("KAFKA_SASL_JAAS_CONFIG")).contains("username=\"finetide-ingestion\"").contains(s
                .services().get("ingestion").password());
        assertThat(s.brokerConfig(9, 10)).contains("listeners=SASL_SSL://127.0.0.1:9,CONTROLLER://127.0.0.1:10",
                "allow.everyone.if.no.acl.found=false").noneMatch(l -> l.contains("PLAINTEXT"));
        assertThat(s.formatArguments()).contains("SCRAM-SHA-512=[name=finetide-ingestion,password=" + s.services()
                .get("ingestion").password() + "]");
        assertThat(s.toString()).doesNotContain(s.admin().password());
        assertThat(s.admin().toString()).doesNotContain(s.admin().password());
    }

    @Test
    void aServicesAclsAreItsStrimziUsers() {
        ServiceChannels deployment = new ServiceChannels("deployment", List.of("finetide.models.promoted"), List.of(
                "finetide.models.promoted", "finetide.deadletter"), List.of("finetide-deployment"),
                List.of("finetide-deployment-serving-"), List.of("finetide-deployment-promotions-"));
        List<AclBinding> acls = KafkaAcls.bindings(deployment);
        assertThat(acls).allMatch(a -> a.entry().principal().equals("User:finetide-deployment"));
        assertThat(acls).filteredOn(a -> a.pattern().name().equals("finetide.models.promoted")).extracting(a -> a
                .entry().operation()).containsExactlyInAnyOrder(AclOperation.READ, AclOperation.WRITE,
                        AclOperation.DESCRIBE);
        assertThat(acls).filteredOn(a -> a.pattern().name().equals("finetide.deadletter")).extracting(a -> a.entry()
                .operation()).containsExactlyInAnyOrder(AclOperation.WRITE, AclOperation.DESCRIBE);
        assertThat(acls).filteredOn(a -> a.pattern().resourceType() == ResourceType.GROUP).extracting(a -> a
                .pattern().patternType()).containsExactlyInAnyOrder(PatternType.LITERAL, PatternType.PREFIXED);
        assertThat(acls).filteredOn(a -> a.pattern().resourceType() == ResourceType.TRANSACTIONAL_ID).extracting(
                a -> a.entry().operation()).containsExactlyInAnyOrder(AclOperation.WRITE, AclOperation.DESCRIBE);
        assertThat(acls).filteredOn(a -> a.pattern().resourceType() == ResourceType.TRANSACTIONAL_ID).allMatch(
                a -> a.pattern().patternType() == PatternType.PREFIXED && a.pattern().name().equals(
                        "finetide-deployment-promotions-"));
        assertThat(acls).hasSize(9);
    }
}
