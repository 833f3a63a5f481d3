package io.finetide.model.graph;

import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** A fetched output tensor copied into Java arrays of the shape callers index. */
final class Outputs {

    private Outputs() {
    }

    /** A [rows, cols] tensor as rows. */
    static float[][] rows(TFloat32 t, int rows, int cols) {
        float[] flat = new float[rows * cols];
        t.copyTo(DataBuffers.of(flat, false, false));
        float[][] out = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * cols, out[i], 0, cols);
        }
        return out;
    }

    /** A [batch * time, labels] tensor as [batch][time][labels]. */
    static float[][][] perPosition(TFloat32 t, int batch, int time, int labels) {
        float[][] flat = rows(t, batch * time, labels);
        float[][][] out = new float[batch][time][];
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < time; j++) {
                out[i][j] = flat[i * time + j];
            }
        }
        return out;
    }
}
