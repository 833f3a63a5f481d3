package io.finetide.runtime.security;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.finetide.platform.security.KeyRing;

/**
 * The service's keys: {@code finetide.security.api-keys} (env {@code FINETIDE_SECURITY_API_KEYS}, default none) and
 * the file {@code finetide.security.api-keys-file} (default none), looked at again every second.
 */
@ApplicationScoped
public class KeyRings {

    private static final Logger LOG = Logger.getLogger(KeyRings.class);

    @Produces
    @Singleton
    KeyRing keyRing(@ConfigProperty(name = "finetide.security.api-keys") Optional<String> keys,
            @ConfigProperty(name = "finetide.security.api-keys-file") Optional<String> file) {
        KeyRing ring = new KeyRing(keys.orElse(""), file.filter(f -> !f.isBlank()).map(Path::of), Duration.ofSeconds(
                1), LOG::error);
        if (!ring.current().enabled()) {
            LOG.warn("no API keys configured (finetide.security.api-keys, finetide.security.api-keys-file): the API "
                    + "is open to anyone who can reach it");
        }
        return ring;
    }
}
