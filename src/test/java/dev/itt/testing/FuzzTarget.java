package dev.itt.testing;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A Jazzer fuzz test with this project's budget, in one place. In a normal run it replays the seeds committed
 * beside its class; with {@code JAZZER_FUZZ=1} (the {@code fuzz} script at the repository root) it fuzzes for
 * {@link #INPUTS} inputs, or until the time cap if that comes first.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@FuzzTest(maxExecutions = FuzzTarget.INPUTS, maxDuration = "3h")
public @interface FuzzTarget {
    /** Inputs per target in fuzzing mode (docs/SECURITY.md, "Hostile input, fuzzed"). */
    long INPUTS = 1_000_000;
}
