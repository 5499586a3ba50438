package org.seqrec.arch;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layers of docs/architecture.md: every import points down the stack
 * {@code util < data < nn < eval < model < model.zoo < train < run < report < api (org.seqrec) < experiment, serve < cli},
 * and no two packages import each other, directly or through others.
 */
class LayersTest {
    static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.seqrec");
    }

    @Test
    void everyImportPointsDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("util").definedBy("org.seqrec.util..")
                .layer("data").definedBy("org.seqrec.data..")
                .layer("nn").definedBy("org.seqrec.nn..")
                .layer("eval").definedBy("org.seqrec.eval..")
                .layer("model").definedBy("org.seqrec.model")
                .layer("zoo").definedBy("org.seqrec.model.zoo..")
                .layer("train").definedBy("org.seqrec.train..")
                .layer("run").definedBy("org.seqrec.run..")
                .layer("report").definedBy("org.seqrec.report..")
                .layer("api").definedBy("org.seqrec")
                .layer("experiment").definedBy("org.seqrec.experiment..")
                .layer("serve").definedBy("org.seqrec.serve..")
                .layer("cli").definedBy("org.seqrec.cli..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("serve").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("experiment").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("api").mayOnlyBeAccessedByLayers("experiment", "serve", "cli")
                .whereLayer("report").mayOnlyBeAccessedByLayers("api", "experiment", "serve", "cli")
                .whereLayer("run").mayOnlyBeAccessedByLayers("report", "api", "experiment", "serve", "cli")
                .whereLayer("train").mayOnlyBeAccessedByLayers("run", "report", "api", "experiment", "serve", "cli")
                .whereLayer("zoo").mayOnlyBeAccessedByLayers("train", "run", "report", "api", "experiment", "serve", "cli")
                .whereLayer("model").mayOnlyBeAccessedByLayers("zoo", "train", "run", "report", "api", "experiment", "serve", "cli")
                .whereLayer("eval").mayOnlyBeAccessedByLayers("model", "zoo", "train", "run", "report", "api", "experiment", "serve", "cli")
                .whereLayer("nn").mayOnlyBeAccessedByLayers("eval", "model", "zoo", "train", "run", "report", "api", "experiment", "serve",
                        "cli")
                .whereLayer("data").mayOnlyBeAccessedByLayers("nn", "eval", "model", "zoo", "train", "run", "report", "api", "experiment",
                        "serve", "cli")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("org.seqrec.(**)").should().beFreeOfCycles().check(classes);
    }
}
