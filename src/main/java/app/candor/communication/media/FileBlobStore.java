package app.candor.communication.media;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Blobs as files in one directory (mode 700, files 600). Each is written to a temporary name
 * ({@code .tmp-...}), forced to disk, then renamed atomically to its name and the directory forced
 * too, so a blob is either absent or complete, also after {@code kill -9} or a power cut. Temporary
 * files left by a crash are deleted when the store is opened.
 */
public final class FileBlobStore implements BlobStore {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
  private static final String TEMP = ".tmp-";

  private final Path dir;

  private FileBlobStore(Path dir) {
    this.dir = dir;
  }

  /** Opens (creating if need be) the store in {@code dir}, deleting temporaries left by a crash. */
  public static FileBlobStore open(Path dir) {
    Objects.requireNonNull(dir, "dir");
    try {
      Files.createDirectories(dir);
      try {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system.
      }
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          if (f.getFileName().toString().startsWith(TEMP)) {
            Files.deleteIfExists(f);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the media directory " + dir, e);
    }
    return new FileBlobStore(dir);
  }

  /** The directory the blobs are in. */
  public Path directory() {
    return dir;
  }

  @Override
  public long put(String name, Writer writer) throws IOException {
    Path target = path(name);
    Path temp = dir.resolve(TEMP + name + "-" + UUID.randomUUID());
    boolean done = false;
    try (FileChannel channel =
        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      try {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system.
      }
      OutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(channel), 65_536);
      // The writer may close what it is given (an encrypting stream closes its sink); the channel
      // must stay open to be forced.
      writer.writeTo(
          new FilterOutputStream(buffered) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
              flush();
            }
          });
      buffered.flush();
      channel.force(true);
      long size = channel.size();
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      done = true;
      forceDirectory();
      return size;
    } finally {
      if (!done) {
        Files.deleteIfExists(temp);
      }
    }
  }

  @Override
  public InputStream open(String name) throws IOException {
    return Files.newInputStream(path(name));
  }

  @Override
  public boolean delete(String name) throws IOException {
    boolean existed = Files.deleteIfExists(path(name));
    if (existed) {
      forceDirectory();
    }
    return existed;
  }

  @Override
  public List<String> list() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files
          .map(f -> f.getFileName().toString())
          .filter(n -> NAME.matcher(n).matches())
          .forEach(names::add);
    }
    return names;
  }

  private Path path(String name) throws NoSuchFileException {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a blob name: " + name);
    }
    return dir.resolve(name);
  }

  /** Makes a rename or delete durable: on Linux a directory can be opened and forced. */
  private void forceDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some platforms cannot open a directory; the rename itself is still atomic there.
    }
  }
}
