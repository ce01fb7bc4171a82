package dev.tokencache.origin;

import org.jspecify.annotations.Nullable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured secret ({@code env:NAME}, {@code file:PATH}, {@code aws-secretsmanager:ARN[#key]}), read at
 * start and then re-read every poll interval on a worker thread, so that a rotation needs no restart.
 *
 * <p>A failed re-read keeps the last good value, logs once (and once again when reading works again) and is
 * reported by {@link #problem()} for readiness. When the value changes, the one it replaced stays in
 * {@link #accepted()} for {@code previousGrace}: that is what lets a guard accept both during a rotation.
 * Reads of the current value are lock-free. {@code toString()} names the source, never its value.
 */
public final class SecretSource {
  private static final Logger LOG = LoggerFactory.getLogger(SecretSource.class);

  /** Everything known at one moment; replaced whole. */
  private record State(SecretVersions versions, @Nullable String replaced, @Nullable Instant replacedAt,
      @Nullable String problem) {}

  private final String description;
  private final SecretReader reader;
  private final Duration pollInterval;
  private final Duration previousGrace;
  private final InstantSource clock;
  private final AtomicReference<State> state = new AtomicReference<>();
  private @Nullable Vertx vertx;
  private long timer = -1;

  SecretSource(String description, SecretReader reader, Duration pollInterval, Duration previousGrace,
      InstantSource clock) {
    this.description = description;
    this.reader = reader;
    this.pollInterval = pollInterval;
    this.previousGrace = previousGrace;
    this.clock = clock;
  }

  /**
   * Reads the secret once (on a worker thread) and starts polling. Fails, with a message naming the source and
   * the reason, when the first read fails: a proxy must not start without its origin secret.
   */
  public Future<SecretSource> start(Vertx vertx) {
    this.vertx = vertx;
    return vertx.executeBlocking(reader::read, false).map(first -> {
      state.set(new State(first, null, null, null));
      if (!pollInterval.isZero()) {
        timer = vertx.setPeriodic(pollInterval.toMillis(), id -> refresh());
      }
      return this;
    });
  }

  /** Re-reads now (on a worker thread); the future completes when the state is updated. */
  public Future<Void> refresh() {
    Vertx started = Objects.requireNonNull(vertx, "refresh() before start()");
    return started.executeBlocking(reader::read, false).transform(read -> {
      State before = state();
      if (read.succeeded()) {
        SecretVersions now = read.result();
        boolean changed = !now.current().equals(before.versions().current());
        if (before.problem() != null) {
          LOG.info("secret source {} is readable again", description);
        }
        if (changed) {
          LOG.info("secret source {} has a new value; the previous one stays accepted for {}", description, previousGrace);
        }
        state.set(changed
            ? new State(now, before.versions().current(), clock.instant(), null)
            : new State(now, before.replaced(), before.replacedAt(), null));
      } else {
        String reason = read.cause().getMessage();
        if (before.problem() == null) {
          LOG.warn("secret source {} cannot be read; keeping the last good value: {}", description, reason);
        }
        state.set(new State(before.versions(), before.replaced(), before.replacedAt(), reason));
      }
      return Future.<Void>succeededFuture();
    });
  }

  /** The current value. */
  public String current() {
    return state().versions().current();
  }

  /**
   * Every value a guard should accept now: the current one, the store's previous version, and the value this
   * source replaced, while within the grace period.
   */
  public List<String> accepted() {
    State now = state();
    List<String> values = new ArrayList<>(3);
    values.add(now.versions().current());
    String previous = now.versions().previous();
    if (previous != null) {
      values.add(previous);
    }
    String replaced = now.replaced();
    Instant replacedAt = now.replacedAt();
    if (replaced != null && replacedAt != null && clock.instant().isBefore(replacedAt.plus(previousGrace))) {
      values.add(replaced);
    }
    return values;
  }

  /** {@code null} when the last read worked, else why it did not (never a value). */
  public @Nullable String problem() {
    return state().problem();
  }

  /** The state since the first read; {@link #start} completes only after it. */
  private State state() {
    return Objects.requireNonNull(state.get(), "used before start() completed");
  }

  public void stop() {
    if (timer >= 0 && vertx != null) {
      vertx.cancelTimer(timer);
    }
  }

  @Override
  public String toString() {
    return description;
  }

  static String nonEmpty(@Nullable String value, String description) {
    Objects.requireNonNull(description);
    if (value == null || value.isEmpty()) {
      throw new SecretUnavailable(description + " is empty");
    }
    return value;
  }
}
