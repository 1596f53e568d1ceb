package app.candor.communication.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Where the encrypted bytes of shared files live, by name; it never sees plaintext (the caller
 * encrypts while it writes). A blob appears under its name only once it is complete: a failed or
 * interrupted write leaves nothing behind under any name {@link #list} returns.
 *
 * <p>Two implementations fit. {@link FileBlobStore} keeps the blobs as files under {@code <data
 * dir>/media/}: the embedded default, and right for one node. Several nodes on one PostgreSQL need
 * a store they all reach: an S3-compatible object store (Amazon S3, MinIO, Ceph RGW, Garage), with
 * {@link #put} as a multipart upload (parts of 8 MiB or more buffered in turn, so memory stays
 * bounded; the object exists only once the upload completes, and an aborted upload leaves none),
 * {@link #open} a GET of the object's stream, {@link #delete} a DELETE and {@link #list} a
 * ListObjectsV2 of the bucket's prefix; the bucket is private and the objects are ciphertext, so
 * the object store learns sizes and times, never content. That second implementation is not built
 * here: no S3-compatible server is available on the machines this project builds and tests on, and
 * an implementation without a test against a real one would be a guess.
 */
public interface BlobStore {

  /** Writes a blob's bytes to the stream it is given; the store closes that stream. */
  @FunctionalInterface
  interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Stores a new blob named {@code name} with what {@code writer} writes. The blob becomes visible
   * only once the writer returned and the bytes are durable; when the writer throws, nothing is
   * stored and the exception propagates.
   *
   * @return the number of bytes stored
   */
  long put(String name, Writer writer) throws IOException;

  /** The blob's bytes; {@link java.nio.file.NoSuchFileException} when there is no such blob. */
  InputStream open(String name) throws IOException;

  /** Deletes the blob; true when it existed. */
  boolean delete(String name) throws IOException;

  /** The names of every stored blob (for sweeping blobs without a record, and for audits). */
  List<String> list() throws IOException;
}
