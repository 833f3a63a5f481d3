package io.finetide.platform.store;

/**
 * Each service keeps its own documents in a database of its own ({@code quarkus.mongodb.database}); the large
 * immutable artifacts that several services share (dataset snapshots, model bundles) live in one artifacts database.
 * On FerretDB/SQLite a database is one file with one writer at a time, so this also keeps services from contending.
 */
public final class StoreNames {

    /** Config key of the artifacts database, the same for every service. */
    public static final String ARTIFACTS_DATABASE_KEY = "finetide.store.artifacts-database";
    public static final String DEFAULT_ARTIFACTS_DATABASE = "finetide_artifacts";

    private StoreNames() {
    }

    /** The default database of a service: {@code finetide_<service>}. */
    public static String serviceDatabase(String service) {
        return "finetide_" + service;
    }
}
