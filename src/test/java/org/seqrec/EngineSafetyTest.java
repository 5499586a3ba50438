package org.seqrec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No project class calls the NDArray arithmetic that takes a Java {@code Number} and keeps it for
 * the backward pass ({@code mul}, {@code div}, {@code pow} and their reversed / in-place forms):
 * DJL's PyTorch engine wraps the number in a tensor over a Java buffer and closes it at once, so
 * autograd later reads freed memory (see {@code Nn.scale}). Checked on the compiled classes (javap),
 * so a call is found whatever the source looks like.
 */
class EngineSafetyTest {
    static final Pattern UNSAFE = Pattern.compile(
            "Method ai/djl/(?:ndarray/NDArray|pytorch/engine/PtNDArray)\\.(mul|div|pow|rdiv|rpow|muli|divi|powi|rdivi|rpowi):\\(Ljava/lang/Number;\\)");

    @Test
    void noScalarArithmeticThatAutogradReadsAfterItIsFreed() throws IOException {
        ToolProvider javap = ToolProvider.findFirst("javap").orElseThrow();
        List<String> classes;
        try (Stream<Path> s = Files.walk(Path.of("target/classes"))) {
            classes = s.filter(p -> p.toString().endsWith(".class")).map(Path::toString).sorted().toList();
        }
        assertThat(classes).as("compiled classes").hasSizeGreaterThan(50);
        List<String> found = new ArrayList<>();
        for (String c : classes) {
            StringWriter out = new StringWriter();
            javap.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "-c", "-p", c);
            Matcher m = UNSAFE.matcher(out.toString());
            while (m.find()) {
                found.add(c + ": NDArray." + m.group(1) + "(Number)");
            }
        }
        assertThat(found).as("use Nn.scale (or an engine-allocated scalar) instead").isEmpty();
    }

    /** The check does see such a call: this test class's own bytecode has one. */
    @Test
    void theCheckFindsACall() {
        ToolProvider javap = ToolProvider.findFirst("javap").orElseThrow();
        StringWriter out = new StringWriter();
        javap.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "-c", "-p", "target/test-classes/org/seqrec/EngineSafetyTest.class");
        assertThat(UNSAFE.matcher(out.toString()).find()).isTrue();
    }

    @SuppressWarnings("unused")
    private static ai.djl.ndarray.NDArray example(ai.djl.ndarray.NDArray x) {
        return x.div(2f); // the pattern the first test forbids in the library
    }
}
