package io.asynctrace.tool;

import java.io.PrintWriter;
import java.util.List;

/** Prints rows as aligned columns: the first left-aligned, the others right-aligned. */
final class Table {
    private Table() {
    }

    static void print(PrintWriter out, List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] row : rows) {
            b.setLength(0);
            for (int c = 0; c < columns; c++) {
                String cell = row[c];
                if (c == 0) {
                    b.append(cell).append(" ".repeat(width[c] - cell.length()));
                } else {
                    b.append("  ").append(" ".repeat(width[c] - cell.length())).append(cell);
                }
            }
            out.println(b.toString().stripTrailing());
        }
    }
}
