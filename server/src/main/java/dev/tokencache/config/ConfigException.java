package dev.tokencache.config;

import java.util.List;

/**
 * A configuration that cannot be used. Each problem is one line of the form
 * {@code key: value (expected: ...)}; a secret value is never part of a problem.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("; ", problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  public ConfigException(String problem) {
    this(List.of(problem));
  }

  /** One line per problem, in the order the keys were checked. */
  public List<String> problems() {
    return problems;
  }
}
