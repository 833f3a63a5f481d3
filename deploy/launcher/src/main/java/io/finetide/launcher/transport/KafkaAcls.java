package io.finetide.launcher.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import io.finetide.launcher.kubernetes.ServiceChannels;
import io.finetide.launcher.kubernetes.StrimziResources;

/**
 * Gives each service's Kafka user on the local broker exactly the ACLs its Strimzi {@code KafkaUser} has in
 * production ({@link StrimziResources#acls}, generated from its channels): a pipeline that runs under them shows that
 * those ACLs are enough, and a service that reads or writes a topic its channels do not name is refused.
 */
public final class KafkaAcls {

    private KafkaAcls() {
    }

    static List<AclBinding> bindings(ServiceChannels service) {
        String principal = "User:" + TransportSecurity.userName(service.name());
        List<AclBinding> out = new ArrayList<>();
        for (StrimziResources.Acl acl : StrimziResources.acls(service)) {
            // Strimzi's camel case (transactionalId) in Kafka's enum (TRANSACTIONAL_ID).
            ResourceType type = ResourceType.valueOf(acl.type().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(
                    Locale.ROOT));
            ResourcePattern resource = new ResourcePattern(type,
                    acl.name(), acl.pattern().equals("prefix") ? PatternType.PREFIXED : PatternType.LITERAL);
            for (String operation : acl.operations()) {
                out.add(new AclBinding(resource, new AccessControlEntry(principal, "*", AclOperation.valueOf(operation
                        .toUpperCase(Locale.ROOT)), AclPermissionType.ALLOW)));
            }
        }
        return out;
    }

    /** Creates the ACLs of these services, as the launcher's administrator. */
    public static int apply(Map<String, Object> adminClient, List<ServiceChannels> services) {
        List<AclBinding> all = new ArrayList<>();
        services.forEach(s -> all.addAll(bindings(s)));
        try (Admin admin = Admin.create(adminClient)) {
            admin.createAcls(all).all().get(30, TimeUnit.SECONDS);
            return all.size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating ACLs", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create the services' ACLs", e);
        }
    }
}
