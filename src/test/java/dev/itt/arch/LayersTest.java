package dev.itt.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.itt.wire.Wires;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/ARCHITECTURE.md, pinned on the production classes: the multiplexer knows no transport,
 * framework, configuration, wire format or end; one factory picks the wire format; Vert.x internals stay in
 * the adapter package.
 */
class LayersTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.itt");

    @Test
    void theMultiplexerImportsNoFrameworkConfigurationFormatOrEnd() {
        noClasses().that().resideInAnyPackage("dev.itt.mux..")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.quarkus..", "jakarta..",
                        "dev.itt.config..", "dev.itt.legacy..", "dev.itt.end..", "dev.itt.server..",
                        "dev.itt.agent..", "dev.itt.runtime..", "dev.itt.vertx..", "dev.itt.wire..", "dev.itt.cli..")
                .check(MAIN);
    }

    @Test
    void onlyTheWireFactoryImportsTheLegacyFormat() {
        classes().that().resideOutsideOfPackage("dev.itt.legacy..")
                .and().doNotBelongToAnyOf(Wires.class)
                .should().onlyDependOnClassesThat().resideOutsideOfPackage("dev.itt.legacy..")
                .check(MAIN);
    }

    @Test
    void vertxInternalsStayInTheAdapterPackage() {
        noClasses().that().resideOutsideOfPackage("dev.itt.vertx..")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..impl..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.vertx.core.net.impl.NetSocketInternal")
                .check(MAIN);
    }

    @Test
    void theLegacyFormatKnowsOnlyTheMultiplexer() {
        noClasses().that().resideInAnyPackage("dev.itt.legacy..")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.quarkus..", "dev.itt.config..",
                        "dev.itt.end..", "dev.itt.server..", "dev.itt.agent..", "dev.itt.runtime..",
                        "dev.itt.vertx..", "dev.itt.wire..")
                .check(MAIN);
    }

    @Test
    void theSharedCoreAndTheWireKnowNeitherEnd() {
        noClasses().that().resideInAnyPackage("dev.itt.end..", "dev.itt.wire..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.itt.server..", "dev.itt.agent..")
                .check(MAIN);
    }

    @Test
    void theEndsAndTheRuntimeDependDownwardOnly() {
        noClasses().that().resideInAnyPackage("dev.itt.end..", "dev.itt.server..", "dev.itt.agent..",
                        "dev.itt.vertx..", "dev.itt.wire..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.itt.runtime..", "dev.itt.cli..")
                .check(MAIN);
    }
}
