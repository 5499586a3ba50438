package org.seqrec.cli;

import picocli.CommandLine.Command;

/** Placeholder replaced by the fetch implementation. */
@Command(name = "fetch", description = "Download a public dataset.")
final class FetchCommand implements Runnable {
    @Override
    public void run() {}
}
