package app.candor.communication.spam;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A trained spam model: the logistic regression's bias and one weight per feature bucket, and the
 * two probability thresholds chosen on the training data ({@code suspiciousAt <= spamAt}).
 *
 * <p>Weights are kept on a 16-bit grid (2 MB in memory, so more of them stay in the processor's
 * cache) ({@code scale * k}, {@code |k| <= 32767}) from the moment the model is made, so the model
 * in memory after training and the model read back from its file give exactly the same scores. The
 * file is gzip'd: a magic number, the feature bits, bias, thresholds, scale, then one {@code short}
 * per bucket (mostly zero, so it compresses well).
 */
public final class SpamModel {

  /** The model that ships, on the classpath; written by {@code ./candor spam train}. */
  public static final String RESOURCE = "/spam/spam-model.bin.gz";

  private static final int MAGIC = 0x43535031; // "CSP1"

  private final double bias;
  private final short[] weights;
  private final double scale;
  private final double suspiciousAt;
  private final double spamAt;

  private SpamModel(
      double bias, short[] weights, double scale, double suspiciousAt, double spamAt) {
    if (weights.length != TextFeatures.SIZE) {
      throw new IllegalArgumentException(
          "a model has " + TextFeatures.SIZE + " weights, not " + weights.length);
    }
    if (!(0 < suspiciousAt && suspiciousAt <= spamAt && spamAt < 1)) {
      throw new IllegalArgumentException(
          "thresholds must satisfy 0 < suspiciousAt <= spamAt < 1: "
              + suspiciousAt
              + ", "
              + spamAt);
    }
    this.bias = bias;
    this.weights = weights;
    this.scale = scale;
    this.suspiciousAt = suspiciousAt;
    this.spamAt = spamAt;
  }

  /** A model from trained weights, snapped to the 16-bit grid the file keeps. */
  static SpamModel of(double bias, double[] weights, double suspiciousAt, double spamAt) {
    double max = 0;
    for (double w : weights) {
      max = Math.max(max, Math.abs(w));
    }
    double scale = max == 0 ? 1 : max / Short.MAX_VALUE;
    short[] snapped = new short[weights.length];
    for (int i = 0; i < weights.length; i++) {
      snapped[i] = (short) Math.round(weights[i] / scale);
    }
    return new SpamModel(bias, snapped, scale, suspiciousAt, spamAt);
  }

  /** The model in the jar. */
  static SpamModel shipped() {
    InputStream in = SpamModel.class.getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new IllegalStateException("the spam model " + RESOURCE + " is not on the classpath");
    }
    try (in) {
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the spam model " + RESOURCE, e);
    }
  }

  public static SpamModel read(InputStream in) throws IOException {
    DataInputStream data =
        new DataInputStream(new BufferedInputStream(new GZIPInputStream(in), 1 << 16));
    if (data.readInt() != MAGIC) {
      throw new IOException("not a Candor spam model");
    }
    int bits = data.readInt();
    if (bits != TextFeatures.BITS) {
      throw new IOException(
          "the model has " + bits + " feature bits, this code reads " + TextFeatures.BITS);
    }
    double bias = data.readDouble();
    double suspiciousAt = data.readDouble();
    double spamAt = data.readDouble();
    double scale = data.readDouble();
    short[] weights = new short[TextFeatures.SIZE];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = data.readShort();
    }
    return new SpamModel(bias, weights, scale, suspiciousAt, spamAt);
  }

  /** Writes the model; the same model always gives the same bytes. */
  public void write(OutputStream out) throws IOException {
    GZIPOutputStream gzip = new GZIPOutputStream(out, 1 << 16);
    DataOutputStream data = new DataOutputStream(new BufferedOutputStream(gzip, 1 << 16));
    data.writeInt(MAGIC);
    data.writeInt(TextFeatures.BITS);
    data.writeDouble(bias);
    data.writeDouble(suspiciousAt);
    data.writeDouble(spamAt);
    data.writeDouble(scale);
    for (short w : weights) {
      data.writeShort(w);
    }
    data.flush();
    gzip.finish();
  }

  double bias() {
    return bias;
  }

  /** The weight of one bucket. */
  double weight(int bucket) {
    return weights[bucket] * scale;
  }

  /** The weights as kept, on the grid: weight = {@code grid[bucket] * scale}. */
  short[] grid() {
    return weights;
  }

  double scale() {
    return scale;
  }

  public double suspiciousAt() {
    return suspiciousAt;
  }

  public double spamAt() {
    return spamAt;
  }
}
