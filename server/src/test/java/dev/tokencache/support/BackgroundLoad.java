package dev.tokencache.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that keep asking for tokens while a test breaks something, counting requests and failures (anything but
 * a 200, or no answer). Bounded: each client stops after {@code perClient} requests or when stopped.
 */
public final class BackgroundLoad {
  /** One request of client {@code client}, its {@code i}-th. */
  @FunctionalInterface
  public interface Ask {
    TokenReply ask(int client, int i) throws Exception;
  }

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();
  private final List<CompletableFuture<Void>> clients = new ArrayList<>();

  private BackgroundLoad(int clientCount, int perClient, Ask ask) {
    for (int c = 0; c < clientCount; c++) {
      int client = c;
      clients.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < perClient && running.get(); i++) {
          try {
            TokenReply reply = ask.ask(client, i);
            requests.incrementAndGet();
            if (reply.status() != 200) {
              failures.incrementAndGet();
              System.out.println("failed under load: " + reply);
            }
          } catch (Exception e) {
            failures.incrementAndGet();
            System.out.println("failed under load: " + e);
          }
        }
      }));
    }
  }

  public static BackgroundLoad start(int clients, int perClient, Ask ask) {
    return new BackgroundLoad(clients, perClient, ask);
  }

  /** Waits (at most 30 s) until at least {@code count} requests were answered; returns how many were. */
  public int awaitRequests(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (requests.get() < count && System.nanoTime() < deadline) {
      Thread.sleep(10); // polling a counter the clients move, bounded by the deadline
    }
    return requests.get();
  }

  public int requests() {
    return requests.get();
  }

  public int failures() {
    return failures.get();
  }

  /** Stops the clients and waits for their last requests. */
  public void stop() throws Exception {
    running.set(false);
    CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
  }
}
