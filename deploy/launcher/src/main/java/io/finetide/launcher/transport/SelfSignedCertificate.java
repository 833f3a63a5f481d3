package io.finetide.launcher.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The local platform's certificate for {@code localhost} and {@code 127.0.0.1}, made with the JDK's {@code keytool}:
 * the services' HTTPS and the broker's TLS present it, and every client trusts it and nothing else. For trying TLS on
 * one machine; production mounts certificates from its own authority (docs/SECURITY.md).
 *
 * @param keyStore   PKCS#12 with the private key and the certificate
 * @param trustStore PKCS#12 with the certificate only
 * @param certificate the certificate in PEM (for Prometheus and curl)
 * @param password   of both stores
 */
public record SelfSignedCertificate(Path keyStore, Path trustStore, Path certificate, String password) {

    /** The certificate's subject, also the broker's principal on its controller listener (mutual TLS). */
    public static final String SUBJECT = "CN=localhost,O=Finetide local platform";

    static SelfSignedCertificate in(Path dir, String password) {
        SelfSignedCertificate c = new SelfSignedCertificate(dir.resolve("server.p12"), dir.resolve("truststore.p12"),
                dir.resolve("server.pem"), password);
        if (!Files.exists(c.trustStore())) {
            c.make();
        }
        return c;
    }

    private void make() {
        keytool("-genkeypair", "-alias", "finetide", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", SUBJECT,
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "825", "-keystore", keyStore.toString(),
                "-storetype", "PKCS12", "-storepass", password);
        keytool("-exportcert", "-rfc", "-alias", "finetide", "-file", certificate.toString(), "-keystore", keyStore
                .toString(), "-storepass", password);
        keytool("-importcert", "-noprompt", "-alias", "finetide", "-file", certificate.toString(), "-keystore",
                trustStore.toString(), "-storetype", "PKCS12", "-storepass", password);
    }

    /** A TLS context that trusts this certificate only. */
    public SSLContext sslContext() {
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(in, password.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + trustStore, e);
        }
    }

    private static void keytool(String... args) {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
