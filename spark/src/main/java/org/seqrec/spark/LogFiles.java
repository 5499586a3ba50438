package org.seqrec.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.seqrec.util.SeqrecException;

/**
 * Files on any Hadoop file system (local, HDFS, S3, ...): the input's data files in a fixed order, a copy
 * on the executor's local disk for the core readers, and the concatenation of a job's part files into the
 * single file {@code data convert} writes.
 */
final class LogFiles {
    private LogFiles() {}

    /** One input file and its place in the input's order (file order decides first appearances). */
    record InputFile(int index, String uri) implements Serializable {}

    /**
     * The data files of {@code path}: the file itself, or a directory's files sorted by name (hidden files,
     * {@code _SUCCESS} and other names starting with '_' or '.' left out, as Spark's own readers do).
     */
    static List<InputFile> list(String path, Configuration conf) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) {
                throw new SeqrecException(path + ": no such file or directory");
            }
            FileStatus st = fs.getFileStatus(p);
            List<FileStatus> files = new ArrayList<>();
            if (st.isDirectory()) {
                for (FileStatus f : fs.listStatus(p)) {
                    String name = f.getPath().getName();
                    if (f.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
                        files.add(f);
                    }
                }
                files.sort(Comparator.comparing(f -> f.getPath().getName()));
            } else {
                files.add(st);
            }
            if (files.isEmpty()) {
                throw new SeqrecException(path + ": the directory holds no data files");
            }
            if (files.size() > (1 << 13)) {
                throw new SeqrecException(path + ": " + files.size() + " files; at most 8192 (merge small part files first)");
            }
            List<InputFile> out = new ArrayList<>();
            for (FileStatus f : files) {
                out.add(new InputFile(out.size(), f.getPath().toUri().toString()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file as a local path: itself when it is on the local file system, else a copy in {@code tmpDir} (same name). */
    static Path local(String uri, Path tmpDir, Configuration conf) throws IOException {
        URI u = URI.create(uri);
        if (u.getScheme() == null || u.getScheme().equals("file")) {
            return Path.of(u.getScheme() == null ? uri : u.getPath());
        }
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
        Path copy = tmpDir.resolve(p.getName()); // the name keeps its extension (.gz, .parquet) for the reader
        try (InputStream in = p.getFileSystem(conf).open(p)) {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        return copy;
    }

    /**
     * Concatenates the {@code part-*} files of a Spark output directory, in name order, into {@code out}
     * (written beside as {@code out.tmp} and renamed, so it appears whole or not at all), then removes the directory.
     */
    static void concatParts(String partsDir, String out, Configuration conf) {
        try {
            org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(partsDir);
            FileSystem fs = dir.getFileSystem(conf);
            List<FileStatus> parts = new ArrayList<>();
            for (FileStatus f : fs.listStatus(dir)) {
                if (f.isFile() && f.getPath().getName().startsWith("part-")) {
                    parts.add(f);
                }
            }
            parts.sort(Comparator.comparing(f -> f.getPath().getName()));
            writeFile(out, os -> {
                for (FileStatus part : parts) {
                    try (InputStream in = fs.open(part.getPath())) {
                        in.transferTo(os);
                    }
                }
            }, conf);
            fs.delete(dir, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a local temporary directory and the files in it; one left behind is not worth failing a task for. */
    static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // best effort
        }
    }

    /** The local file system without its .crc side files (the output is the file data convert writes, alone); others as they are. */
    static FileSystem raw(FileSystem fs) {
        return fs instanceof org.apache.hadoop.fs.LocalFileSystem local ? local.getRaw() : fs;
    }

    /** A sibling path of an FMLP output file: {@code data/shop.txt} + {@code .item_map.tsv} = {@code data/shop.item_map.tsv}. */
    static String sibling(String fmlpFile, String suffix) {
        int slash = fmlpFile.lastIndexOf('/');
        int dot = fmlpFile.lastIndexOf('.');
        String base = dot > slash + 1 ? fmlpFile.substring(0, dot) : fmlpFile;
        return base + suffix;
    }

    static boolean isDirectory(String path, Configuration conf) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
            return p.getFileSystem(conf).getFileStatus(p).isDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean exists(String path, Configuration conf) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
            return p.getFileSystem(conf).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What writes a file's bytes. */
    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Writes a file through the Hadoop file system (no .crc files on the local one): as {@code path.tmp}, then renamed. */
    static void writeFile(String path, Writer writer, Configuration conf) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
            org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(path + ".tmp");
            FileSystem fs = raw(p.getFileSystem(conf));
            try (OutputStream os = fs.create(tmp, true)) {
                writer.write(os);
            }
            if (fs.exists(p)) {
                fs.delete(p, false);
            }
            if (!fs.rename(tmp, p)) {
                throw new IOException("cannot rename " + tmp + " to " + p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a .seqbin directory, or empties an existing one of its shards (an earlier, larger dataset's would stay). */
    static void clearShards(String dir, Configuration conf) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir);
            FileSystem fs = raw(p.getFileSystem(conf));
            if (fs.exists(p)) {
                for (FileStatus f : fs.listStatus(p)) {
                    if (f.getPath().getName().matches("shard-\\d+\\.bin")) {
                        fs.delete(f.getPath(), false);
                    }
                }
            } else {
                fs.mkdirs(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
