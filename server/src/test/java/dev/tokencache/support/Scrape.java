package dev.tokencache.support;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one series from Prometheus text, as the tests scrape it. */
public final class Scrape {
  private Scrape() {}

  /** The value of {@code series} (name and labels exactly as exposed), or {@code whenAbsent}. */
  public static double value(String scrape, String series, double whenAbsent) {
    Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
    return matcher.find() ? Double.parseDouble(matcher.group(1)) : whenAbsent;
  }
}
