package dev.itt.config;

import io.quarkus.runtime.configuration.ConfigurationException;
import java.util.List;

/**
 * Every problem found in the configuration, each naming the tunnel and the key, or every tunnel that could not
 * start. The message is the whole report: as a Quarkus {@link ConfigurationException}, a failed start-up prints it
 * as it is, without a stack trace, and exits 1.
 */
public final class ConfigException extends ConfigurationException {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        this("invalid ITT configuration, " + problems.size() + (problems.size() == 1 ? " problem" : " problems"),
                problems);
    }

    /** @param headline what went wrong as a whole, followed in the message by one line per problem */
    public ConfigException(String headline, List<String> problems) {
        super(headline + ":\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
