package dev.tokencache.demo;

import dev.tokencache.issuer.IssuerServer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/** Shows the run's progress: a live bar on a terminal, a plain line every few seconds otherwise. */
final class Progress {
  private static final int WIDTH = 30;

  private final PrintStream out;
  private final boolean terminal;
  private final Duration duration;
  private final Fleet fleet;
  private final IssuerServer issuer;
  private final long started = System.nanoTime();
  private String last = "";

  Progress(PrintStream out, boolean terminal, Duration duration, Fleet fleet, IssuerServer issuer) {
    this.out = out;
    this.terminal = terminal;
    this.duration = duration;
    this.fleet = fleet;
    this.issuer = issuer;
  }

  /** Prints the current figures unless they are the ones printed last. Called from one timer at a time. */
  synchronized void show() {
    double done = Math.min(1.0, (System.nanoTime() - started) / (double) duration.toNanos());
    long requests = fleet.requests.get();
    String figures = String.format(Locale.ROOT, "%3.0f%%  %,6d requests  %,5d reached the issuer  %5.1f%% hits",
        done * 100, requests, issuer.tokenRequests(), requests == 0 ? 0.0 : 100.0 * fleet.hits.get() / requests);
    if (figures.equals(last)) {
      return;
    }
    last = figures;
    if (terminal) {
      int filled = (int) Math.round(done * WIDTH);
      out.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + figures);
    } else {
      out.println(figures);
    }
    out.flush();
  }

  synchronized void done() {
    show();
    if (terminal) {
      out.println();
    }
  }
}
