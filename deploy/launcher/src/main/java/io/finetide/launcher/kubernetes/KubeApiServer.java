package io.finetide.launcher.kubernetes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import io.finetide.launcher.ManagedProcess;
import io.finetide.platform.local.LocalPaths;

/**
 * A real Kubernetes API server for checking manifests and the operator: etcd and kube-apiserver built by
 * {@code ./finetide} into {@code .tools/bin} (see {@code k8s/tools}), on 127.0.0.1, with an admin token and RBAC.
 * There is no controller manager, scheduler or kubelet: resources are stored and validated, no pod ever runs.
 */
public final class KubeApiServer implements AutoCloseable {

    private final ManagedProcess etcd;
    private final ManagedProcess apiServer;
    private final Path kubeconfig;
    private final String url;
    private final String token;

    private KubeApiServer(ManagedProcess etcd, ManagedProcess apiServer, Path kubeconfig, String url, String token) {
        this.etcd = etcd;
        this.apiServer = apiServer;
        this.kubeconfig = kubeconfig;
        this.url = url;
        this.token = token;
    }

    /** Whether the binaries are there ({@code ./finetide test} and {@code ./finetide k8s-check} build them). */
    public static boolean installed(Path projectRoot) {
        return Files.isExecutable(bin(projectRoot, "etcd")) && Files.isExecutable(bin(projectRoot, "kube-apiserver"));
    }

    /** Starts etcd and the API server with their data under {@code work}, and waits until the server is ready. */
    public static KubeApiServer start(Path projectRoot, Path work) {
        if (!installed(projectRoot)) {
            throw new IllegalStateException("etcd and kube-apiserver are not in .tools/bin: run ./finetide k8s-check "
                    + "(it builds them)");
        }
        try {
            Files.createDirectories(work);
            int first = LocalPaths.freePortBlock(3);
            int client = first, peer = first + 1, secure = first + 2;
            ManagedProcess etcd = ManagedProcess.start("etcd", List.of(bin(projectRoot, "etcd").toString(), "--name",
                    "finetide", "--data-dir", work.resolve("etcd").toString(), "--listen-client-urls",
                    "http://127.0.0.1:" + client, "--advertise-client-urls", "http://127.0.0.1:" + client,
                    "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls",
                    "http://127.0.0.1:" + peer, "--initial-cluster", "finetide=http://127.0.0.1:" + peer), Map.of(),
                    work.resolve("etcd.log"));
            etcd.awaitHttpOk("http://127.0.0.1:" + client + "/health", Duration.ofMinutes(1));

            String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
            Files.writeString(work.resolve("tokens.csv"), token + ",admin,admin-uid,system:masters\n");
            writeServiceAccountKeys(work);
            ManagedProcess api = ManagedProcess.start("kube-apiserver", List.of(bin(projectRoot, "kube-apiserver")
                    .toString(), "--etcd-servers=http://127.0.0.1:" + client, "--bind-address=127.0.0.1",
                    "--advertise-address=127.0.0.1", "--endpoint-reconciler-type=none", "--secure-port=" + secure,
                    "--cert-dir=" + work.resolve("certs"), "--service-account-issuer=https://kubernetes.default.svc",
                    "--service-account-signing-key-file=" + work.resolve("sa.key"), "--service-account-key-file="
                            + work.resolve("sa.pub"),
                    "--token-auth-file=" + work.resolve("tokens.csv"),
                    "--authorization-mode=RBAC", "--service-cluster-ip-range=10.96.0.0/16"), Map.of(),
                    work.resolve(
                            "kube-apiserver.log"));
            String url = "https://127.0.0.1:" + secure;
            KubeApiServer server = new KubeApiServer(etcd, api, work.resolve("kubeconfig"), url, token);
            Files.writeString(server.kubeconfig, kubeconfig(url, token));
            server.awaitReady(Duration.ofMinutes(2));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A kubeconfig for kubectl and clients ({@code KUBECONFIG}): the admin token, the server's own certificate. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    public String url() {
        return url;
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().sslContext(trustingItsOwnCertificate()).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!apiServer.isAlive()) {
                throw new IllegalStateException("kube-apiserver exited; see " + apiServer.log());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/readyz")).header(
                        "Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            ManagedProcess.pause();
        }
        throw new IllegalStateException("kube-apiserver not ready in " + timeout + "; see " + apiServer.log());
    }

    // The server generates a self-signed certificate into --cert-dir at start; clients here skip verifying it, as the
    // kubeconfig says (insecure-skip-tls-verify), since nothing but this machine ever talks to it.
    private static SSLContext trustingItsOwnCertificate() {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[]{new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ssl;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String kubeconfig(String url, String token) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: finetide-check
                    cluster:
                      server: %s
                      insecure-skip-tls-verify: true
                users:
                  - name: admin
                    user:
                      token: %s
                contexts:
                  - name: finetide-check
                    context:
                      cluster: finetide-check
                      user: admin
                      namespace: default
                current-context: finetide-check
                """.formatted(url, token);
    }

    private static void writeServiceAccountKeys(Path work) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Files.writeString(work.resolve("sa.key"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(work.resolve("sa.pub"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Path bin(Path root, String name) {
        return root.resolve(".tools/bin").resolve(name);
    }

    @Override
    public void close() {
        apiServer.close();
        etcd.close();
    }
}
