package io.finetide.operator.tasks;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.X509TrustManager;

/** Trusts a server that either of two trust managers trusts: a private authority's, or the JVM's. */
final class EitherTrustManager implements X509TrustManager {

    private final X509TrustManager first;
    private final X509TrustManager second;

    EitherTrustManager(X509TrustManager first, X509TrustManager second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        either(m -> m.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        either(m -> m.checkClientTrusted(chain, authType));
    }

    private interface Check {
        void check(X509TrustManager manager) throws CertificateException;
    }

    /** The first's answer when it trusts; else the second's, whose refusal is the one reported. */
    private void either(Check check) throws CertificateException {
        try {
            check.check(first);
        } catch (CertificateException e) {
            check.check(second);
        }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        X509Certificate[] a = first.getAcceptedIssuers();
        X509Certificate[] b = second.getAcceptedIssuers();
        X509Certificate[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
