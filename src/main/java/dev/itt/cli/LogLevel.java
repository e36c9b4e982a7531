package dev.itt.cli;

import java.util.Locale;

/** The seed's -loglevel values, mapped to the levels Quarkus logging knows. */
enum LogLevel {
    FATAL("FATAL"),
    ERROR("ERROR"),
    WARNING("WARN"),
    WARN("WARN"),
    INFO("INFO"),
    DEBUG("DEBUG"),
    TRACE("TRACE");

    final String quarkusLevel;

    LogLevel(String quarkusLevel) {
        this.quarkusLevel = quarkusLevel;
    }

    /** Less verbose than INFO: the whole process is quietened, not only ITT's own loggers. */
    boolean quieterThanInfo() {
        return ordinal() < INFO.ordinal();
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
