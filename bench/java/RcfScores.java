import com.amazon.randomcutforest.RandomCutForest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * For bench/compare-forests.mjs: AWS randomcutforest-core on the same series as logradar's RCF.
 * Args: inputDims shingleSize trees sampleSize outputAfter seed. Stdin: one input per line, "T v1 v2 …"
 * to learn it (update, internal shingling) or "S v1 v2 …" to print its anomaly score without learning it.
 */
public class RcfScores {
    public static void main(String[] args) throws Exception {
        int dims = Integer.parseInt(args[0]);
        int shingle = Integer.parseInt(args[1]);
        int sampleSize = Integer.parseInt(args[3]);
        RandomCutForest forest = RandomCutForest.builder()
                .dimensions(dims * shingle)
                .shingleSize(shingle)
                .internalShinglingEnabled(true)
                .numberOfTrees(Integer.parseInt(args[2]))
                .sampleSize(sampleSize)
                .outputAfter(Integer.parseInt(args[4]))
                .randomSeed(Long.parseLong(args[5]))
                .timeDecay(1.0 / (10 * sampleSize))
                .build();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (String line; (line = in.readLine()) != null;) {
            if (line.isEmpty()) continue;
            String[] parts = line.split(" ");
            double[] point = new double[parts.length - 1];
            for (int i = 1; i < parts.length; i++) point[i - 1] = Double.parseDouble(parts[i]);
            if (parts[0].equals("T")) forest.update(point);
            else out.append(forest.getAnomalyScore(point)).append('\n');
        }
        System.out.print(out);
    }
}
