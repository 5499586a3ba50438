package org.seqrec.testutil;

import java.io.IOException;
import java.net.Socket;
import java.util.List;

/** Slow HTTP clients for abuse tests and the reliability benchmark. */
public final class SlowClients {
    private SlowClients() {}

    /**
     * Starts a daemon thread that writes one byte to each socket of {@code trickle} every 100 ms until
     * {@code endNanos} ({@link System#nanoTime()}) or until the list is empty; a socket the server has
     * closed is dropped from the list. Callers that read {@code trickle} meanwhile synchronise on it.
     */
    public static Thread trickle(List<Socket> trickle, long endNanos) {
        Thread writer = new Thread(() -> {
            while (System.nanoTime() < endNanos && !trickle.isEmpty()) {
                synchronized (trickle) {
                    trickle.removeIf(s -> {
                        try {
                            s.getOutputStream().write(' ');
                            s.getOutputStream().flush();
                            return false;
                        } catch (IOException e) {
                            return true;
                        }
                    });
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        writer.setDaemon(true);
        writer.start();
        return writer;
    }
}
