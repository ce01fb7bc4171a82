package dev.tokencache.demo;

import java.time.Duration;

/**
 * What the demo runs.
 *
 * @param apps simulated client applications, each with its own credentials
 * @param tokenLifetime the issuer's token lifetime (shortened so the run is short)
 * @param requestsPerLifetime how often each application asks per token lifetime (the seed's example: 12)
 * @param duration how long the fleet runs
 * @param proxyPort the proxy's port (0: any free port)
 * @param costPer1000 what 1,000 token requests cost at the authorization server, for the money saved (USD)
 */
public record DemoOptions(int apps, Duration tokenLifetime, int requestsPerLifetime, Duration duration, int proxyPort,
    double costPer1000) {

  /**
   * Amazon Cognito's published price for machine-to-machine token requests, in USD per 1,000 (as read when this was
   * written, November 2026; {@code --cost-per-1000} sets another).
   */
  public static final double COGNITO_M2M_PER_1000 = 2.25;

  /** With Cognito's M2M price. */
  public DemoOptions(int apps, Duration tokenLifetime, int requestsPerLifetime, Duration duration, int proxyPort) {
    this(apps, tokenLifetime, requestsPerLifetime, duration, proxyPort, COGNITO_M2M_PER_1000);
  }

  public DemoOptions {
    if (costPer1000 < 0) {
      throw new IllegalArgumentException("--cost-per-1000: " + costPer1000 + " (expected: 0 or more)");
    }
    if (apps < 1) {
      throw new IllegalArgumentException("--apps: " + apps + " (expected: 1 or more applications)");
    }
    if (requestsPerLifetime < 1) {
      throw new IllegalArgumentException("--requests-per-lifetime: " + requestsPerLifetime + " (expected: 1 or more)");
    }
    if (tokenLifetime.toSeconds() < 2) {
      throw new IllegalArgumentException("--token-lifetime: " + tokenLifetime.toMillis() + "ms (expected: 2s or more)");
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("--duration: " + duration.toMillis() + "ms (expected: more than 0)");
    }
  }

  /** Time between two requests of one application. */
  public Duration interval() {
    return tokenLifetime.dividedBy(requestsPerLifetime);
  }

  /**
   * The proxy's {@code cache.min-remaining} for the run: a tenth of the shortened lifetime, as 60 s is of a
   * typical 10-minute-to-1-hour token.
   */
  public Duration minRemaining() {
    return tokenLifetime.dividedBy(10);
  }
}
