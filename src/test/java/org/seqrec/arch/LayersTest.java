package org.seqrec.arch;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layers of docs/architecture.md: every dependency (in the compiled classes) points down the
 * stack below, a layer uses only layers under it, two layers on one level do not use each other, and no
 * two packages depend on each other, directly or through others.
 */
class LayersTest {
    /** Bottom to top; the layers of one row are on one level. The root package {@code org.seqrec} is the Java API. */
    static final String[][] STACK = {
        {"util:org.seqrec.util.."},
        {"data:org.seqrec.data.."},
        {"nn:org.seqrec.nn.."},
        {"model:org.seqrec.model"},
        {"eval:org.seqrec.eval.."},
        {"zoo:org.seqrec.model.zoo.."},
        {"train:org.seqrec.train.."},
        {"run:org.seqrec.run.."},
        {"report:org.seqrec.report..", "interop:org.seqrec.interop.."},
        {"api:org.seqrec"},
        {"experiment:org.seqrec.experiment..", "serve:org.seqrec.serve.."},
        {"cli:org.seqrec.cli.."},
    };

    static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.seqrec");
    }

    static LayeredArchitecture stack() {
        LayeredArchitecture arch = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (String[] level : STACK) {
            for (String layer : level) {
                String[] nameAndPackage = layer.split(":");
                arch = arch.layer(nameAndPackage[0]).definedBy(nameAndPackage[1]);
            }
        }
        for (int i = 0; i < STACK.length; i++) {
            List<String> above = new ArrayList<>();
            for (int j = i + 1; j < STACK.length; j++) {
                for (String layer : STACK[j]) {
                    above.add(layer.split(":")[0]);
                }
            }
            for (String layer : STACK[i]) {
                String name = layer.split(":")[0];
                arch = above.isEmpty() ? arch.whereLayer(name).mayNotBeAccessedByAnyLayer()
                        : arch.whereLayer(name).mayOnlyBeAccessedByLayers(above.toArray(String[]::new));
            }
        }
        return arch;
    }

    @Test
    void everyDependencyPointsDown() {
        stack().check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("org.seqrec.(**)").should().beFreeOfCycles().check(classes);
    }
}
