package dev.tokencache.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version written into the jar by the build. */
public final class Version implements IVersionProvider {

  /** The project version, or {@code unknown} when run outside the built jar. */
  public static String current() {
    try (InputStream in = Version.class.getResourceAsStream("/tokencache-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {"tokencache " + current()};
  }
}
