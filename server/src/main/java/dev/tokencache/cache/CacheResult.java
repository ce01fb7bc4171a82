package dev.tokencache.cache;

import java.util.Locale;

/** How a token request was answered; the value of the {@code X-Token-Cache} header. */
public enum CacheResult {
  /** Served from the cache; the upstream was not asked. */
  HIT,
  /** This request fetched from the upstream. */
  MISS,
  /** Waited for another request's fetch of the same key and shared its answer. */
  COALESCED,
  /** A forced refresh ({@code Cache-Control: no-cache}) that fetched a replacement token; the header says miss. */
  REFRESH,
  /** Not a cacheable request: another grant type, or input the proxy refused. */
  BYPASS;

  private final String label = name().toLowerCase(Locale.ROOT);

  /** The {@code X-Token-Cache} header value: hit, miss, coalesced or bypass. */
  public String headerValue() {
    return this == REFRESH ? "miss" : label;
  }

  /** The lower-case name, as used in metrics. */
  public String label() {
    return label;
  }
}
