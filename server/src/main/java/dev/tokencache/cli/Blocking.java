package dev.tokencache.cli;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;

/** Start-up and shutdown of the commands wait on Vert.x futures from the main or a shutdown-hook thread. */
final class Blocking {
  private Blocking() {}

  /** Waits up to 30 s; never call on an event loop. Throws the future's own failure, unwrapped. */
  static <T> T await(Future<T> future) throws Exception {
    return future.await(30, TimeUnit.SECONDS);
  }
}
