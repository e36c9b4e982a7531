package dev.itt.conformance;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The labelled requirement of docs/PROTOCOL.md a conformance case checks, e.g. {@code "4.1-2"} for
 * <b>[4.1-2]</b>. Each label has exactly one case; {@link ConformanceCoverageTest} holds the two to each other.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Requirement {
    String value();
}
