package org.seqrec.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code seqrec help [COMMAND [SUBCOMMAND ...]]}: the help of any command, nested ones included
 * ({@code seqrec help data convert}); picocli's own help command looks at the first word only.
 */
@Command(name = "help", helpCommand = true, description = "Print the help of a command: seqrec help data convert.")
public final class HelpCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command, e.g. 'train' or 'data convert'.")
    String[] path = new String[0];

    @Override
    public void run() {
        CommandLine cl = spec.parent().commandLine();
        StringBuilder walked = new StringBuilder(cl.getCommandName());
        for (String word : path) {
            CommandLine sub = cl.getSubcommands().get(word);
            if (sub == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown command '" + word + "' under '" + walked
                        + "' (known: " + String.join(", ", cl.getSubcommands().keySet()) + ")");
            }
            cl = sub;
            walked.append(' ').append(word);
        }
        cl.usage(spec.commandLine().getOut(), spec.commandLine().getColorScheme());
    }
}
