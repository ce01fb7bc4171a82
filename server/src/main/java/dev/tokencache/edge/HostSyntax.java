package dev.tokencache.edge;

/**
 * RFC 9110 §7.2 / RFC 3986 §3.2.2: {@code Host} is {@code host [ ":" port ]}, host being a registered name
 * (unreserved, sub-delims and well-formed percent-encodings), an IPv4 address (a registered name's syntax covers
 * it) or a bracketed IP literal. Absent is allowed here (HTTP/1.0); empty is allowed (RFC 9110 for an empty
 * authority).
 */
final class HostSyntax {
  private HostSyntax() {}

  static boolean isValid(String host) {
    if (host == null || host.isEmpty()) {
      return true;
    }
    int end = host.length();
    int colon = host.lastIndexOf(':');
    int bracket = host.lastIndexOf(']');
    if (colon > bracket) {
      if (!isPort(host, colon + 1, end)) {
        return false;
      }
      end = colon;
    }
    if (host.charAt(0) == '[') {
      return end >= 3 && host.charAt(end - 1) == ']' && isIpLiteral(host, 1, end - 1);
    }
    return isRegName(host, 0, end);
  }

  private static boolean isPort(String s, int from, int to) {
    if (to - from > 5) {
      return false;
    }
    for (int i = from; i < to; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean isIpLiteral(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!(isHex(c) || c == ':' || c == '.' || c == 'v' || c == 'V')) {
        return false;
      }
    }
    return to > from;
  }

  private static boolean isRegName(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= to || !isHex(s.charAt(i + 1)) || !isHex(s.charAt(i + 2))) {
          return false;
        }
        i += 2;
      } else if (!(Character.isLetterOrDigit(c) && c < 0x80) && "-._~!$&'()*+,;=".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isHex(char c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
  }
}
