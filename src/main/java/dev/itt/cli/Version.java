package dev.itt.cli;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * What {@code itt --version} prints: the version and the commit the build was made from (META-INF, filtered).
 * picocli makes it by reflection, which a native image must be told of.
 */
@RegisterForReflection
final class Version implements CommandLine.IVersionProvider {
    static final String RESOURCE = "/META-INF/itt-version.properties";

    @Override
    public String[] getVersion() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the build");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new String[] {"itt " + p.getProperty("version") + " (commit " + p.getProperty("commit") + ")"};
    }
}
