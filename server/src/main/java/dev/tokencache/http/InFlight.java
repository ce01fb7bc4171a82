package dev.tokencache.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The requests whose answer waits for the pipeline (a miss, a pass-through), so that a stopping proxy can answer
 * them itself when its grace ends rather than have their connections cut. A hit is answered before its handler
 * returns and is never tracked. Whoever {@link #remove removes} an exchange first answers it: the pipeline's
 * answer or {@link #abandon}'s, never both.
 */
final class InFlight {
  private final Map<Exchange, Context> waiting = new ConcurrentHashMap<>();

  /** Tracks {@code exchange}, to be answered on the current (its connection's) context. */
  void add(Exchange exchange) {
    waiting.put(exchange, Vertx.currentContext());
  }

  /** Whether {@code exchange} was still waiting: the caller now owns its answer. */
  boolean remove(Exchange exchange) {
    return waiting.remove(exchange) != null;
  }

  /**
   * Hands every exchange still waiting to {@code answer}, each on its own connection's context, and returns how
   * many were waiting. An exchange whose pipeline answer wins the race on its context is not handed over.
   */
  int abandon(Consumer<Exchange> answer) {
    int count = 0;
    for (Map.Entry<Exchange, Context> entry : waiting.entrySet()) {
      Exchange exchange = entry.getKey();
      entry.getValue().runOnContext(ignored -> {
        if (remove(exchange)) {
          answer.accept(exchange);
        }
      });
      count++;
    }
    return count;
  }
}
