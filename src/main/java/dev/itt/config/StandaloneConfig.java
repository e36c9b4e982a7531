package dev.itt.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;

/**
 * The ITT mapping fed from given properties and environment variables, read as Quarkus reads them (its
 * converters for durations such as {@code 10s} and sizes such as {@code 16M}, {@link TunnelEnvironment}): for what
 * runs before Quarkus, the command line checking its own flags, and for tests.
 */
public final class StandaloneConfig {
    private StandaloneConfig() {}

    public static SmallRyeConfig of(Map<String, String> properties, Map<String, String> env) {
        return new SmallRyeConfigBuilder()
                .withMapping(IttConfig.class)
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "properties", 100))
                .withSources(new EnvConfigSource(env, EnvConfigSource.ORDINAL))
                .withInterceptors(new TunnelEnvironment(env))
                .build();
    }
}
